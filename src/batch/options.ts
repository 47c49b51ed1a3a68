/** The batch's options, checked before anything starts (`invalid-argument`, naming the option). */
import { EntitlementError } from '../core/errors.ts';
import { resolvePolling } from '../core/operation.ts';
import type { PollingOptions } from '../core/types.ts';
import type { FleetMethod, Quota, VendorFleetTraits } from './items.ts';
import type { BatchOptions } from './types.ts';

export const DEFAULTS = {
  concurrency: 16,
  defaultRate: { limit: 600, intervalMs: 60_000 } as Quota,
  utilisation: 0.97,
  maxRetries: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  waitTimeoutMs: 30 * 60_000,
  maxPending: 1000,
};

export function invalid(message: string, vendor = 'batch'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw invalid(`${name} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return value as number;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw invalid(`${name} must be a finite number >= 0, got ${JSON.stringify(value)}`);
  return value;
}

function checkQuota(name: string, quota: unknown): Quota {
  const value = quota as Quota;
  if (
    typeof quota !== 'object' ||
    quota === null ||
    !(Number.isFinite(value.limit) && value.limit > 0) ||
    !(Number.isFinite(value.intervalMs) && value.intervalMs > 0)
  )
    throw invalid(`${name} must be { limit > 0, intervalMs > 0 }, got ${JSON.stringify(quota)}`);
  return { limit: value.limit, intervalMs: value.intervalMs };
}

export interface Settings {
  concurrency: number;
  defaultRate: Quota;
  utilisation: number;
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  waitTimeoutMs?: number;
  requestTimeoutMs?: number;
  polling?: PollingOptions;
  maxPending: number;
  failFast: boolean;
  quotas: Record<string, Partial<Record<FleetMethod, Quota>>>;
  traits: Record<string, VendorFleetTraits>;
  label: string;
}

/** Checks every option before anything starts (`invalid-argument`, naming the option). */
export function checkOptions(options: BatchOptions = {}): Settings {
  if (typeof options !== 'object' || options === null) throw invalid('batch options must be an object');
  const retry = options.retry ?? {};
  const quotas: Settings['quotas'] = {};
  for (const [vendor, methods] of Object.entries(options.quotas ?? {})) {
    quotas[vendor] = {};
    for (const [method, quota] of Object.entries(methods ?? {})) {
      if (!['create', 'poll', 'get'].includes(method))
        throw invalid(`quotas.${vendor}.${method}: the methods are create, poll and get`);
      (quotas[vendor] as Record<string, Quota>)[method] = checkQuota(`quotas.${vendor}.${method}`, quota);
    }
  }
  const utilisation = nonNegative('utilisation', options.utilisation, DEFAULTS.utilisation);
  if (utilisation <= 0 || utilisation > 1)
    throw invalid(`utilisation must be > 0 and <= 1, got ${utilisation}`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw invalid('signal must be an AbortSignal');
  if (options.polling !== undefined) resolvePolling(options.polling);
  const settings: Settings = {
    concurrency: positiveInteger('concurrency', options.concurrency, DEFAULTS.concurrency),
    defaultRate:
      options.defaultRate === undefined
        ? DEFAULTS.defaultRate
        : checkQuota('defaultRate', options.defaultRate),
    utilisation,
    maxRetries: nonNegative('retry.maxRetries', retry.maxRetries, DEFAULTS.maxRetries),
    initialDelayMs: nonNegative('retry.initialDelayMs', retry.initialDelayMs, DEFAULTS.initialDelayMs),
    maxDelayMs: nonNegative('retry.maxDelayMs', retry.maxDelayMs, DEFAULTS.maxDelayMs),
    maxPending: positiveInteger('maxPending', options.maxPending, DEFAULTS.maxPending),
    failFast: options.failFast === true,
    quotas,
    traits: { ...options.traits },
    label: options.positionLabel ?? 'item',
  };
  if (!Number.isInteger(settings.maxRetries)) throw invalid('retry.maxRetries must be a whole number');
  if (options.polling !== undefined) settings.polling = options.polling;
  if (options.waitTimeoutMs !== undefined)
    settings.waitTimeoutMs = positiveInteger('waitTimeoutMs', options.waitTimeoutMs, 0);
  if (options.requestTimeoutMs !== undefined)
    settings.requestTimeoutMs = positiveInteger('requestTimeoutMs', options.requestTimeoutMs, 0);
  return settings;
}
