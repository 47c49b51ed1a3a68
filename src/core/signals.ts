/** Abort signals, timeouts and sleeps that every call path shares. */
import { setTimeout as delay } from 'node:timers/promises';
import { EntitlementError } from './errors.ts';

export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the attempt's own timeout fired (not the caller's signal). */
  timedOut(): boolean;
}

/** The caller's signal combined with a timeout for one request. */
export function attemptSignal(parent: AbortSignal | undefined, timeoutMs: number | undefined): AttemptSignal {
  const signals: AbortSignal[] = [];
  if (parent) signals.push(parent);
  const timeout =
    timeoutMs !== undefined && Number.isFinite(timeoutMs) ? AbortSignal.timeout(timeoutMs) : undefined;
  if (timeout) signals.push(timeout);
  const signal = signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
  return { signal, timedOut: () => timeout?.aborted === true && parent?.aborted !== true };
}

export function cancelledError(vendor: string, operation: string, signal: AbortSignal): EntitlementError {
  return new EntitlementError({
    kind: 'cancelled',
    vendor,
    message: `${operation} was cancelled by the caller's AbortSignal`,
    cause: signal.reason,
  });
}

export function throwIfAborted(vendor: string, operation: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(vendor, operation, signal);
}

/** Waits `ms`; rejects with `cancelled` as soon as the signal aborts. */
export async function sleep(
  ms: number,
  vendor: string,
  operation: string,
  signal?: AbortSignal,
): Promise<void> {
  if (ms <= 0) return throwIfAborted(vendor, operation, signal);
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw cancelledError(vendor, operation, signal);
    throw error;
  }
}
