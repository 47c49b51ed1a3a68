/**
 * Rates written as text, `vendor:method=N/min` (also `/s`, `/h`; `N/60s` for a window of 60 s):
 * what `entitlements apply --rate` takes, turned into the batch's `quotas` option.
 */
import { EntitlementError } from '../core/errors.ts';
import type { FleetMethod, Quota } from './items.ts';

const UNITS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  min: 60_000,
  m: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};
const METHODS: readonly FleetMethod[] = ['create', 'poll', 'get'];
const RATE = /^([a-z0-9][a-z0-9._-]*):([a-z]+)=(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)?([a-z]+)$/i;

export interface ParsedRate {
  vendor: string;
  method: FleetMethod;
  quota: Quota;
}

export function parseRate(text: string): ParsedRate {
  const match = RATE.exec(text.trim());
  const refuse = (why: string) =>
    new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'batch',
      message: `rate ${JSON.stringify(text)}: ${why} (expected vendor:method=N/min, e.g. google-channel:create=60/min)`,
    });
  if (!match) throw refuse('not a rate');
  const [, vendor = '', method = '', count = '', times = '1', unit = ''] = match;
  if (!METHODS.includes(method as FleetMethod)) throw refuse(`the methods are ${METHODS.join(', ')}`);
  const unitMs = UNITS[unit.toLowerCase()];
  if (unitMs === undefined) throw refuse(`the units are s, min and h`);
  const limit = Number(count);
  const intervalMs = Number(times) * unitMs;
  if (!(limit > 0) || !(intervalMs > 0)) throw refuse('the rate must be above 0');
  return { vendor, method: method as FleetMethod, quota: { limit, intervalMs } };
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
