/**
 * The emulator's rate limit: a fixed window of `requests` per `perMs`, counted over every request
 * the emulator receives (one shared bucket, so tests are deterministic), backed by
 * `rate-limiter-flexible`. Headers follow the vendor's `429` response: `X-RateLimit-Reset` and
 * `Retry-After` are RELATIVE seconds, not epoch seconds.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Allow at most `requests` requests per `perMs` milliseconds (fixed window starting at the first request). */
export interface ConfluentRateLimit {
  requests: number;
  perMs: number;
}

/** The outcome of counting one request. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** When the current window ends, in `Date.now()` milliseconds. */
  readonly resetAt: number;
}

const KEY = 'all-requests';

export class RateLimit {
  readonly #limit: number;
  readonly #limiter: RateLimiterMemory;

  constructor(config: ConfluentRateLimit) {
    if (!Number.isInteger(config.requests) || config.requests < 1)
      throw new TypeError('rateLimit.requests must be a positive integer');
    if (!Number.isFinite(config.perMs) || config.perMs <= 0)
      throw new TypeError('rateLimit.perMs must be a positive number of milliseconds');
    this.#limit = config.requests;
    this.#limiter = new RateLimiterMemory({ points: config.requests, duration: config.perMs / 1000 });
  }

  /** Counts one request. */
  async consume(): Promise<RateLimitDecision> {
    const decide = (res: RateLimiterRes, allowed: boolean): RateLimitDecision => ({
      allowed,
      limit: this.#limit,
      remaining: allowed ? res.remainingPoints : 0,
      resetAt: Date.now() + Math.max(0, res.msBeforeNext),
    });
    try {
      return decide(await this.#limiter.consume(KEY), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return decide(rejection, false);
      throw rejection;
    }
  }

  /** Drops the current window's count and its timer (the emulator then uses a new instance). */
  dispose(): void {
    void this.#limiter.delete(KEY);
  }
}

/** Whole seconds from `now` until `resetAt`, rounded up. */
function secondsUntil(resetAt: number, now: number): number {
  return Math.max(0, Math.ceil((resetAt - now) / 1000));
}

/** `X-RateLimit-*` headers (and `Retry-After` when the request was refused), computed at send time. */
export function rateLimitHeaders(decision: RateLimitDecision, now = Date.now()): Record<string, string> {
  const reset = secondsUntil(decision.resetAt, now);
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(reset),
  };
  if (!decision.allowed) headers['Retry-After'] = String(Math.max(1, reset));
  return headers;
}
