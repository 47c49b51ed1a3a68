/**
 * Per-method quotas like Cloud Channel's (about 120 requests per minute for most methods, 600 for
 * `operations.get`): a fixed one-minute window per method, counted over every call of that method
 * on both transports (one bucket, so tests are deterministic), backed by `rate-limiter-flexible`.
 * A call over quota is refused with RESOURCE_EXHAUSTED carrying ErrorInfo
 * (`RATE_LIMIT_EXCEEDED`), QuotaFailure and RetryInfo (the time left in the window).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ChannelMethod } from './descriptor.ts';
import { Code, errorInfo, quotaFailure, type RpcStatus, retryInfo, rpcStatus } from './errors.ts';

/** Quotas of {@link startChannelEmulator}; a missing entry means no limit. */
export interface ChannelQuota {
  /** CreateEntitlement calls per minute. */
  createPerMinute?: number;
  /** GetOperation calls per minute. */
  getOperationPerMinute?: number;
}

const WINDOW_SECONDS = 60;
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
};

export function checkQuota(quota: ChannelQuota): void {
  for (const { option } of Object.values(LIMITED)) {
    const value = quota[option];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new TypeError(`quota.${option} must be a positive integer`);
  }
}

interface Limiter {
  limit: number;
  metric: string;
  limiter: RateLimiterMemory;
}

export class Quotas {
  readonly #config: ChannelQuota;
  #limiters = new Map<ChannelMethod, Limiter>();

  constructor(config: ChannelQuota = {}) {
    checkQuota(config);
    this.#config = { ...config };
    this.#build();
  }

  #build(): void {
    this.#limiters = new Map();
    for (const [method, spec] of Object.entries(LIMITED) as [
      ChannelMethod,
      { option: keyof ChannelQuota; metric: string },
    ][]) {
      const limit = this.#config[spec.option];
      if (limit === undefined) continue;
      this.#limiters.set(method, {
        limit,
        metric: spec.metric,
        limiter: new RateLimiterMemory({ points: limit, duration: WINDOW_SECONDS }),
      });
    }
  }

  /** Counts one call of `method`; answers the status to refuse it with when it is over quota. */
  async consume(method: ChannelMethod): Promise<RpcStatus | undefined> {
    const entry = this.#limiters.get(method);
    if (!entry) return undefined;
    try {
      await entry.limiter.consume(method);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryMs = Math.max(1, rejection.msBeforeNext);
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
  }

  /** Forgets every count (a new window starts with the next call). */
  reset(): void {
    for (const [method, { limiter }] of this.#limiters) void limiter.delete(method);
    this.#build();
  }
}
