/**
 * Rates written as text: what `entitlements apply --rate` and `entitlements worker --rate` take.
 * One grammar for both, `vendor[:method]=N/<window>`: N a whole number of requests, the window a
 * unit (`ms`, `s`, `sec`, `min`, `m`, `h`, `hour`) with an optional amount before it (`600/min`,
 * `25/s`, `30/90s`, `600/24000ms`). Which methods there are, and whether one may be left out, is
 * the caller's: a batch paces each method on its own bucket; a worker also has one bucket for
 * every call of a vendor (the method left out).
 */
import { EntitlementError } from '../core/errors.ts';
import type { FleetMethod, Quota } from './items.ts';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  min: 60_000,
  m: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};
const RATE = /^([a-z0-9][a-z0-9._-]*)(?::([a-z]+))?=(\d+)\/(\d+(?:\.\d+)?)?([a-z]+)$/i;
/** The methods a batch paces, each on its own bucket. */
export const BATCH_METHODS: readonly FleetMethod[] = ['create', 'poll', 'get'];

/** A rate read from text; `method` is undefined when the text names none. */
export interface RateText {
  vendor: string;
  method: string | undefined;
  quota: Quota;
}

export interface ParsedRate {
  vendor: string;
  method: FleetMethod;
  quota: Quota;
}

/**
 * Reads `vendor[:method]=N/<window>`; `methods` are the ones allowed, and `methodRequired` refuses
 * a rate that names none. A bad rate is `invalid-argument` saying what is wrong.
 */
export function parseRateText(
  text: string,
  methods: readonly string[],
  { methodRequired }: { methodRequired: boolean },
): RateText {
  const shape = methodRequired ? 'vendor:method=N/min' : 'vendor[:method]=N/min';
  const refuse = (why: string) =>
    new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'batch',
      message: `rate ${JSON.stringify(text)}: ${why} (expected ${shape}, e.g. google-channel:create=60/min; windows also N/s, N/h, N/90s, N/500ms)`,
    });
  if (typeof text !== 'string') throw refuse('not a string');
  const match = RATE.exec(text.trim());
  if (!match) throw refuse('not a rate');
  const [, vendor = '', method, count = '', amount = '1', unit = ''] = match;
  if (method === undefined && methodRequired) throw refuse(`name a method: ${methods.join(', ')}`);
  if (method !== undefined && !methods.includes(method))
    throw refuse(`the methods are ${methods.join(', ')}`);
  const unitMs = UNITS[unit.toLowerCase()];
  if (unitMs === undefined) throw refuse('the units are ms, s, min and h');
  const limit = Number(count);
  if (!Number.isSafeInteger(limit) || limit < 1) throw refuse('the count must be a whole number >= 1');
  const intervalMs = Number(amount) * unitMs;
  if (!(intervalMs >= 1) || !Number.isFinite(intervalMs)) throw refuse('the window must be at least 1 ms');
  return { vendor, method, quota: { limit, intervalMs } };
}

/** A batch's rate: `vendor:method=N/min`, the method one of create, poll, get. */
export function parseRate(text: string): ParsedRate {
  const { vendor, method, quota } = parseRateText(text, BATCH_METHODS, { methodRequired: true });
  return { vendor, method: method as FleetMethod, quota };
}

/** Several rates as the batch's `quotas` option (a later rate for the same bucket wins). */
export function ratesToQuotas(
  rates: readonly ParsedRate[],
): Record<string, Partial<Record<FleetMethod, Quota>>> {
  const quotas: Record<string, Partial<Record<FleetMethod, Quota>>> = {};
  for (const { vendor, method, quota } of rates) {
    const methods = quotas[vendor] ?? {};
    methods[method] = quota;
    quotas[vendor] = methods;
  }
  return quotas;
}

/** A quota as requests per minute, for display. */
export function perMinute(quota: Quota): number {
  return (quota.limit * 60_000) / quota.intervalMs;
}
