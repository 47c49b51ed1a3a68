/**
 * Per-method quotas like Cloud Channel's (120 requests per minute for most methods, 600 for
 * `operations.get`): a fixed window per method that starts with its first call (60 s, divided by
 * the emulator's `timeScale`), counted over every call of that method on both transports (one
 * bucket, so tests are deterministic). A call over quota is refused with RESOURCE_EXHAUSTED
 * carrying ErrorInfo (`RATE_LIMIT_EXCEEDED`), QuotaFailure and RetryInfo (the time left in the
 * window), and counted in {@link Quotas.errors}. Time comes from the emulator's clock, so tests
 * can move it instead of sleeping.
 */
import type { ChannelQuota } from './defaults.ts';
import type { ChannelMethod } from './descriptor.ts';

export { CHANNEL_PUBLISHED_QUOTA, type ChannelQuota } from './defaults.ts';

import { Code, errorInfo, quotaFailure, type RpcStatus, retryInfo, rpcStatus } from './errors.ts';

const WINDOW_MS = 60_000;
const SERVICE = 'cloudchannel.googleapis.com';

const LIMITED: Partial<Record<ChannelMethod, { option: keyof ChannelQuota; metric: string }>> = {
  CreateEntitlement: {
    option: 'createPerMinute',
    metric: 'cloudchannel.googleapis.com/create_entitlement_requests',
  },
  GetOperation: {
    option: 'getOperationPerMinute',
    metric: 'cloudchannel.googleapis.com/get_operation_requests',
  },
  GetEntitlement: {
    option: 'getEntitlementPerMinute',
    metric: 'cloudchannel.googleapis.com/get_entitlement_requests',
  },
};

export function checkQuota(quota: ChannelQuota): void {
  if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be an object');
  for (const { option } of Object.values(LIMITED)) {
    const value = quota[option];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new TypeError(`quota.${option} must be a positive integer`);
  }
}

/** Checks a time scale (how many times faster than real time quota windows pass). */
export function checkTimeScale(timeScale: number): number {
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new TypeError('timeScale must be a number > 0');
  return timeScale;
}

interface Window {
  limit: number;
  metric: string;
  start: number;
  count: number;
}

export interface QuotaClock {
  /** Milliseconds; defaults to Date.now. */
  now?: () => number;
  /** Windows last 60 s / timeScale (default 1). */
  timeScale?: number;
}

export class Quotas {
  readonly #config: ChannelQuota;
  readonly #now: () => number;
  readonly #windowMs: number;
  #windows = new Map<ChannelMethod, Window>();
  #errors = 0;

  constructor(config: ChannelQuota = {}, clock: QuotaClock = {}) {
    checkQuota(config);
    this.#config = { ...config };
    this.#now = clock.now ?? Date.now;
    this.#windowMs = WINDOW_MS / checkTimeScale(clock.timeScale ?? 1);
    this.#build();
  }

  /** Quota errors served since start or the last reset. */
  get errors(): number {
    return this.#errors;
  }

  #build(): void {
    this.#windows = new Map();
    for (const [method, spec] of Object.entries(LIMITED) as [
      ChannelMethod,
      { option: keyof ChannelQuota; metric: string },
    ][]) {
      const limit = this.#config[spec.option];
      if (limit !== undefined)
        this.#windows.set(method, { limit, metric: spec.metric, start: Number.NEGATIVE_INFINITY, count: 0 });
    }
  }

  /** Counts one call of `method`; answers the status to refuse it with when it is over quota. */
  consume(method: ChannelMethod): RpcStatus | undefined {
    const entry = this.#windows.get(method);
    if (!entry) return undefined;
    const now = this.#now();
    if (now >= entry.start + this.#windowMs) {
      entry.start = now;
      entry.count = 0;
    }
    entry.count++;
    if (entry.count <= entry.limit) return undefined;
    this.#errors++;
    const retryMs = Math.max(1, Math.ceil(entry.start + this.#windowMs - now));
    const description = `Quota exceeded for quota metric '${entry.metric}' and limit '${method} requests per minute' of service '${SERVICE}'.`;
    return rpcStatus(Code.RESOURCE_EXHAUSTED, description, [
      errorInfo(
        'RATE_LIMIT_EXCEEDED',
        {
          service: SERVICE,
          quota_metric: entry.metric,
          quota_limit: `${method}RequestsPerMinute`,
          quota_limit_value: String(entry.limit),
        },
        'googleapis.com',
      ),
      quotaFailure([
        {
          subject: `method:${method}`,
          description,
          apiService: SERVICE,
          quotaMetric: entry.metric,
          quotaId: `${method}RequestsPerMinute`,
          quotaValue: String(entry.limit),
        },
      ]),
      retryInfo(retryMs),
    ]);
  }

  /** Forgets every count and the error counter (a new window starts with the next call). */
  reset(): void {
    this.#errors = 0;
    this.#build();
  }
}
