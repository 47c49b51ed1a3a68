/**
 * Retry settings and delays for the one retry layer (src/core/call-loop.ts). Backoff durations
 * come from cockatiel's exponential backoff with decorrelated jitter. A vendor's `Retry-After`
 * (carried on the error as `retryAfterMs`) is a floor: the delay is at least that, plus jitter, so
 * that callers told the same instant do not all come back at once. Only errors marked `retryable`
 * are retried.
 */
import type { IBackoff } from 'cockatiel';
import { checkInteger, checkNumber, checkOptionsObject, invalidField, MAX_TIMER_MS } from './arguments.ts';
import { loadBackoff } from './backoff.ts';
import type { EntitlementError } from './errors.ts';

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The first backoff delay, in milliseconds. */
  initialDelayMs: number;
  /** The longest backoff delay, in milliseconds. */
  maxDelayMs: number;
  /** Growth of the delay per retry. */
  factor: number;
  /** A vendor asking for a longer wait than this is not retried: the error reaches the caller. */
  maxRetryAfterMs: number;
}

export type RetryOptions = Partial<RetrySettings>;

/** The anchors' defaults: 2 retries, 0.5 s doubling to at most 8 s, with jitter; Retry-After up to 60 s. */
export const DEFAULT_RETRY: Readonly<RetrySettings> = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  factor: 2,
  maxRetryAfterMs: 60_000,
};

const RETRY_KEYS = Object.keys(DEFAULT_RETRY) as (keyof RetrySettings)[];
/** At most this many retries per call: more is a loop, not a retry policy. */
const MAX_RETRIES = 20;

/**
 * Retry settings from an adapter's `retry` option (and its `maxRetries` shorthand), checked;
 * `field` names the option in errors.
 */
export function resolveRetry(
  vendor: string,
  retry: unknown,
  maxRetries: unknown,
  base: Readonly<RetrySettings> = DEFAULT_RETRY,
  field = 'retry',
  maxRetriesField = 'maxRetries',
): RetrySettings {
  const given = checkOptionsObject(vendor, field, retry, RETRY_KEYS);
  const settings: RetrySettings = { ...base };
  const retries = checkInteger(vendor, maxRetriesField, maxRetries, 0, MAX_RETRIES);
  const inner = checkInteger(vendor, `${field}.maxRetries`, given.maxRetries, 0, MAX_RETRIES);
  if (retries !== undefined && inner !== undefined && retries !== inner)
    throw invalidField(vendor, maxRetriesField, `differs from ${field}.maxRetries: give one of them`);
  settings.maxRetries = retries ?? inner ?? base.maxRetries;
  const delay = (key: 'initialDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs') =>
    checkNumber(vendor, `${field}.${key}`, given[key], { min: 0, max: MAX_TIMER_MS / 4 });
  settings.initialDelayMs = delay('initialDelayMs') ?? base.initialDelayMs;
  settings.maxDelayMs = delay('maxDelayMs') ?? base.maxDelayMs;
  settings.maxRetryAfterMs = delay('maxRetryAfterMs') ?? base.maxRetryAfterMs;
  settings.factor = checkNumber(vendor, `${field}.factor`, given.factor, { min: 1, max: 100 }) ?? base.factor;
  if (settings.maxDelayMs < settings.initialDelayMs)
    throw invalidField(vendor, `${field}.maxDelayMs`, 'must be at least retry.initialDelayMs');
  return settings;
}

/** The backoff schedule of one call; `next(error)` is the delay before the next attempt. */
export class RetrySchedule {
  readonly #settings: RetrySettings;
  #backoff: IBackoff<unknown> | undefined;

  constructor(settings: RetrySettings) {
    this.#settings = settings;
  }

  /** Whether attempt number `attempt` (from 1) may be followed by another after `error`. */
  allows(error: EntitlementError, attempt: number): boolean {
    if (!error.retryable || attempt > this.#settings.maxRetries) return false;
    return error.retryAfterMs === undefined || error.retryAfterMs <= this.#settings.maxRetryAfterMs;
  }

  async next(error: EntitlementError): Promise<number> {
    if (this.#backoff) this.#backoff = this.#backoff.next(undefined);
    else {
      const { ExponentialBackoff } = await loadBackoff();
      const { initialDelayMs, maxDelayMs, factor } = this.#settings;
      this.#backoff = new ExponentialBackoff({
        initialDelay: initialDelayMs,
        maxDelay: maxDelayMs,
        exponent: factor,
      }).next();
    }
    const computed = this.#backoff.duration;
    if (error.retryAfterMs === undefined) return computed;
    // A floor, plus jitter of up to the computed delay (and no more than the floor itself).
    return error.retryAfterMs + Math.random() * Math.min(computed, Math.max(error.retryAfterMs, 1));
  }
}
