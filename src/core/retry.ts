/**
 * The one retry layer (DESIGN section 4). Backoff durations come from cockatiel's exponential
 * backoff with decorrelated jitter; a vendor's `Retry-After` (carried on the error as
 * `retryAfterMs`) replaces the computed delay. The wait between attempts aborts with the caller's
 * signal. Only errors marked `retryable` are retried.
 */
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { EntitlementError, isEntitlementError } from './errors.ts';
import type { Emit } from './events.ts';
import { sleep, throwIfAborted } from './signals.ts';

export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** A vendor asking for a longer wait than this is not retried: the error reaches the caller. */
  maxRetryAfterMs: number;
}

/** The anchors' defaults: 2 retries, 0.5 s doubling to at most 8 s, with jitter; Retry-After up to 60 s. */
export const DEFAULT_RETRY: Readonly<RetrySettings> = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  factor: 2,
  maxRetryAfterMs: 60_000,
};

export interface RetryContext {
  vendor: string;
  operation: string;
  settings: RetrySettings;
  signal?: AbortSignal;
  emit: Emit;
}

/** Runs `attempt` (numbered from 1) until it succeeds, fails for good, or retries run out. */
export async function withRetries<T>(
  context: RetryContext,
  attempt: (attempt: number) => Promise<T>,
): Promise<T> {
  const { settings, vendor, operation, signal, emit } = context;
  const schedule = new ExponentialBackoff({
    initialDelay: settings.initialDelayMs,
    maxDelay: settings.maxDelayMs,
    exponent: settings.factor,
  });
  let backoff: IBackoff<unknown> | undefined;
  for (let number = 1; ; number++) {
    throwIfAborted(vendor, operation, signal);
    try {
      return await attempt(number);
    } catch (error) {
      if (!isEntitlementError(error) || !shouldRetry(error, number, settings) || signal?.aborted) throw error;
      backoff = backoff ? backoff.next(undefined) : schedule.next();
      const delayMs = error.retryAfterMs ?? backoff.duration;
      emit({
        type: 'retry',
        operation,
        attempt: number,
        delayMs,
        errorKind: error.kind,
        message: error.message,
      });
      await sleep(delayMs, vendor, operation, signal);
    }
  }
}

function shouldRetry(error: EntitlementError, attempt: number, settings: RetrySettings): boolean {
  if (!error.retryable || attempt > settings.maxRetries) return false;
  return error.retryAfterMs === undefined || error.retryAfterMs <= settings.maxRetryAfterMs;
}

export function retrySettings(
  maxRetries: number | undefined,
  base: RetrySettings = DEFAULT_RETRY,
): RetrySettings {
  if (maxRetries === undefined) return base;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'core',
      message: `maxRetries must be a whole number >= 0, got ${String(maxRetries)}`,
    });
  }
  return { ...base, maxRetries };
}
