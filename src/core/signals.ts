/** Abort signals, timeouts and sleeps that every call path shares. */
import { MAX_TIMER_MS } from './arguments.ts';
import { EntitlementError } from './errors.ts';

export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the attempt's own timeout fired (not the caller's signal). */
  timedOut(): boolean;
  /** Clears the timer and the listener on the caller's signal; call it when the attempt is over. */
  dispose(): void;
}

/**
 * The caller's signal combined with a timeout for one request. The timer is cleared by `dispose`,
 * so bulk work does not keep one pending timer per finished request (AbortSignal.timeout would).
 * A timeout longer than a timer can hold is held as the longest timer instead of overflowing.
 */
export function attemptSignal(parent: AbortSignal | undefined, timeoutMs: number | undefined): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs !== undefined && Number.isFinite(timeoutMs)
      ? setTimeout(
          () => {
            timedOut = true;
            controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
          },
          Math.min(Math.max(timeoutMs, 0), MAX_TIMER_MS),
        )
      : undefined;
  const forward = () => controller.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut && parent?.aborted !== true,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', forward);
    },
  };
}

export function cancelledError(vendor: string, operation: string, signal: AbortSignal): EntitlementError {
  return new EntitlementError({
    kind: 'cancelled',
    vendor,
    message: `The ${operation} was cancelled by the caller's AbortSignal.`,
    cause: signal.reason,
  });
}

export function throwIfAborted(vendor: string, operation: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(vendor, operation, signal);
}

/** Waits `ms` (at most what a timer holds); rejects with `cancelled` as soon as the signal aborts. */
export async function sleep(
  ms: number,
  vendor: string,
  operation: string,
  signal?: AbortSignal,
): Promise<void> {
  if (!(ms > 0)) return throwIfAborted(vendor, operation, signal);
  // Loaded on the first sleep (a retry's backoff, a pause between polls), not at import.
  const { setTimeout: delay } = process.getBuiltinModule('node:timers/promises');
  try {
    await delay(Math.min(ms, MAX_TIMER_MS), undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw cancelledError(vendor, operation, signal);
    throw error;
  }
}

/**
 * `work`, or a rejection with the signal's reason as soon as the signal aborts, whichever comes
 * first. A late outcome of `work` is observed (never an unhandled rejection) and dropped.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A timer callback without a closure per timer: the scope comes as the timer's argument. */
function onAttemptTimeout(scope: AttemptScope, timeoutMs: number): void {
  scope.expire(timeoutMs);
}

/**
 * What the call loop uses per attempt: `attemptSignal` and `raceAbort` in one object, for the hot
 * path. The attempt's signal aborts when its timeout passes or the caller's signal aborts, and
 * `race(work)` rejects with the signal's reason at that moment, whatever `work` does. It is the
 * listener on the caller's signal itself (`handleEvent`) and rejects `race` directly when it
 * aborts, so an attempt adds no listener, closure or promise chain of its own.
 */
export class AttemptScope implements AttemptSignal {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #reject: ((reason: unknown) => void) | undefined;

  constructor(parent: AbortSignal | undefined, timeoutMs: number | undefined) {
    this.#parent = parent;
    this.#timer =
      timeoutMs !== undefined && Number.isFinite(timeoutMs)
        ? setTimeout(onAttemptTimeout, Math.min(Math.max(timeoutMs, 0), MAX_TIMER_MS), this, timeoutMs)
        : undefined;
    if (parent?.aborted) this.#abort(parent.reason);
    else parent?.addEventListener('abort', this, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.#abort(this.#parent?.reason);
  }

  /** The attempt's own timeout passed. */
  expire(timeoutMs: number): void {
    this.#timedOut = true;
    this.#abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }

  #abort(reason: unknown): void {
    this.#controller.abort(reason);
    this.#reject?.(this.#controller.signal.reason);
  }

  timedOut(): boolean {
    return this.#timedOut && this.#parent?.aborted !== true;
  }

  /** `raceAbort(work, this.signal)`. */
  race<T>(work: Promise<T>): Promise<T> {
    const { signal } = this.#controller;
    if (signal.aborted) {
      work.catch(() => undefined);
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      work.then(resolve, reject);
    });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this);
  }
}
