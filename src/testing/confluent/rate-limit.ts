/**
 * The emulator's rate limits: fixed windows of `requests` per `perMs` (divided by the emulator's
 * `timeScale`), each starting with its first request, counted over every request the emulator
 * receives or, with `operationId`, over that operation's requests only. Time comes from the
 * emulator's clock, so tests can move it instead of sleeping. Headers follow the vendor's `429`
 * response: `X-RateLimit-Reset` and `Retry-After` are RELATIVE seconds, not epoch seconds. Every
 * `429` served is counted.
 */
import type { ConfluentOperationId } from './spec.ts';

/**
 * Allow at most `requests` requests per `perMs` milliseconds (a fixed window starting at the first
 * request), over all requests or only those of `operationId`.
 */
export interface ConfluentRateLimit {
  requests: number;
  perMs: number;
  operationId?: ConfluentOperationId;
}

/** The outcome of counting one request. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** When the current window ends, in the emulator clock's milliseconds. */
  readonly resetAt: number;
}

export interface RateLimitClock {
  now: () => number;
  timeScale: number;
}

interface Window {
  config: ConfluentRateLimit;
  durationMs: number;
  start: number;
  count: number;
}

function check(config: ConfluentRateLimit): ConfluentRateLimit {
  if (typeof config !== 'object' || config === null) throw new TypeError('rateLimit must be an object');
  if (!Number.isInteger(config.requests) || config.requests < 1)
    throw new TypeError('rateLimit.requests must be a positive integer');
  if (!Number.isFinite(config.perMs) || config.perMs <= 0)
    throw new TypeError('rateLimit.perMs must be a positive number of milliseconds');
  if (config.operationId !== undefined && typeof config.operationId !== 'string')
    throw new TypeError('rateLimit.operationId must be an operation id of the spec');
  return { ...config };
}

export class RateLimits {
  readonly #windows: Window[];
  readonly #now: () => number;
  #refused = 0;

  constructor(configs: readonly ConfluentRateLimit[], clock: RateLimitClock) {
    if (!(Number.isFinite(clock.timeScale) && clock.timeScale > 0))
      throw new TypeError('timeScale must be a number > 0');
    this.#now = clock.now;
    this.#windows = configs.map((config) => {
      const checked = check(config);
      return {
        config: checked,
        durationMs: checked.perMs / clock.timeScale,
        start: Number.NEGATIVE_INFINITY,
        count: 0,
      };
    });
  }

  /** `429`s served since start or the last reset. */
  get refused(): number {
    return this.#refused;
  }

  /** Counts one request in every window that applies; refused when any of them is over. */
  consume(operationId: string | undefined): RateLimitDecision | undefined {
    const now = this.#now();
    let tightest: RateLimitDecision | undefined;
    for (const window of this.#windows) {
      if (window.config.operationId !== undefined && window.config.operationId !== operationId) continue;
      if (now >= window.start + window.durationMs) {
        window.start = now;
        window.count = 0;
      }
      window.count++;
      const limit = window.config.requests;
      const decision: RateLimitDecision = {
        allowed: window.count <= limit,
        limit,
        remaining: Math.max(0, limit - window.count),
        resetAt: window.start + window.durationMs,
      };
      if (
        !tightest ||
        (tightest.allowed && !decision.allowed) ||
        (tightest.allowed === decision.allowed && decision.remaining < tightest.remaining)
      )
        tightest = decision;
    }
    if (tightest && !tightest.allowed) this.#refused++;
    return tightest;
  }

  /** Forgets every count and the 429 counter. */
  reset(): void {
    this.#refused = 0;
    for (const window of this.#windows) {
      window.start = Number.NEGATIVE_INFINITY;
      window.count = 0;
    }
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
