/**
 * The operation handle shared by all adapters: an adapter supplies one-step `poll` (and `cancel`),
 * this module supplies `wait` with a finite deadline, the caller's polling schedule, AbortSignal and
 * progress callbacks. A deadline that passes while the operation still runs is `deadline-exceeded`
 * carrying the token: the operation may still complete and can be resumed.
 */
import { ExponentialBackoff, type IBackoff, noJitterGenerator } from 'cockatiel';
import { EntitlementError, isEntitlementError } from './errors.ts';
import type { Emit } from './events.ts';
import { attemptSignal, sleep, throwIfAborted } from './signals.ts';
import type {
  CallMeta,
  CallOptions,
  Entitlement,
  OperationStatus,
  PollingOptions,
  ProvisioningOperation,
  WaitOptions,
} from './types.ts';

/** Suggested in DESIGN section 5: 1 s, x1.5, at most 30 s between polls. */
export const DEFAULT_POLLING: Readonly<Required<PollingOptions>> = {
  initialDelayMs: 1_000,
  multiplier: 1.5,
  maxDelayMs: 30_000,
};

/** A finite default for the whole wait (gax has none). */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

export interface OperationDriver<V extends string, Raw> {
  vendor: V;
  token: string;
  replayed: boolean;
  meta: CallMeta;
  initial: OperationStatus<V, Raw>;
  /** Asks the vendor once; rejects with `operation-failed` when the operation failed. */
  poll(options: CallOptions): Promise<OperationStatus<V, Raw>>;
  /** Undefined when the vendor has no way to cancel. */
  cancel?: (options: CallOptions) => Promise<void>;
  polling?: PollingOptions;
  waitTimeoutMs?: number;
  emit: Emit;
}

export function resolvePolling(...layers: (PollingOptions | undefined)[]): Required<PollingOptions> {
  const merged: Required<PollingOptions> = { ...DEFAULT_POLLING };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(merged) as (keyof PollingOptions)[]) {
      const value = layer[key];
      if (value === undefined) continue;
      const valid = Number.isFinite(value) && (key === 'multiplier' ? value >= 1 : value >= 0);
      if (!valid) {
        throw new EntitlementError({
          kind: 'invalid-argument',
          vendor: 'core',
          message: `polling.${key} must be a finite number ${key === 'multiplier' ? '>= 1' : '>= 0'}, got ${value}`,
        });
      }
      merged[key] = value;
    }
  }
  return merged;
}

class Operation<V extends string, Raw> implements ProvisioningOperation<V, Raw> {
  readonly #driver: OperationDriver<V, Raw>;
  #status: OperationStatus<V, Raw>;
  #polls = 0;

  constructor(driver: OperationDriver<V, Raw>) {
    this.#driver = driver;
    this.#status = driver.initial;
  }

  get vendor(): V {
    return this.#driver.vendor;
  }
  get token(): string {
    return this.#driver.token;
  }
  get replayed(): boolean {
    return this.#driver.replayed;
  }
  get meta(): CallMeta {
    return this.#driver.meta;
  }
  get done(): boolean {
    return this.#status.done;
  }
  get status(): OperationStatus<V, Raw> {
    return this.#status;
  }

  async poll(options: CallOptions = {}): Promise<OperationStatus<V, Raw>> {
    if (this.#status.done) return this.#status;
    const status = await this.#withToken(() => this.#driver.poll(options));
    this.#polls++;
    this.#status = status;
    return status;
  }

  /** Every error from `wait` carries the token, so the caller can always resume. */
  wait(options: WaitOptions = {}): Promise<Entitlement<V, Raw>> {
    return this.#withToken(() => this.#wait(options));
  }

  async #wait(options: WaitOptions): Promise<Entitlement<V, Raw>> {
    const { vendor, emit } = this.#driver;
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.#driver.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const deadline = started + timeoutMs;
    const polling = resolvePolling(this.#driver.polling, options.polling);
    const schedule = new ExponentialBackoff({
      initialDelay: polling.initialDelayMs,
      maxDelay: polling.maxDelayMs,
      exponent: polling.multiplier,
      generator: noJitterGenerator,
    });
    let backoff: IBackoff<unknown> | undefined;
    for (;;) {
      if (this.#status.done) return this.#result();
      throwIfAborted(vendor, 'wait', options.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.#deadlineError(timeoutMs);
      const attempt = attemptSignal(options.signal, remaining);
      let status: OperationStatus<V, Raw>;
      try {
        status = await this.poll({ ...options.pollOptions, signal: attempt.signal });
      } catch (error) {
        if (attempt.timedOut()) throw this.#deadlineError(timeoutMs, error);
        throw error;
      } finally {
        attempt.dispose();
      }
      const elapsedMs = Date.now() - started;
      if (status.done) {
        emit({ type: 'poll', operation: 'wait', polls: this.#polls, done: true, elapsedMs });
        return this.#result();
      }
      backoff = backoff ? backoff.next(undefined) : schedule.next();
      const pause = Math.min(backoff.duration, deadline - Date.now());
      emit({
        type: 'poll',
        operation: 'wait',
        polls: this.#polls,
        done: false,
        elapsedMs,
        nextDelayMs: Math.max(0, pause),
      });
      options.onProgress?.({ ...status, progress: { ...status.progress, polls: this.#polls, elapsedMs } });
      if (pause <= 0) throw this.#deadlineError(timeoutMs);
      await sleep(pause, vendor, 'wait', options.signal);
    }
  }

  async cancel(options: CallOptions = {}): Promise<void> {
    const { cancel, vendor } = this.#driver;
    if (!cancel) {
      throw new EntitlementError({
        kind: 'failed-precondition',
        vendor,
        token: this.token,
        message: `${vendor} operations cannot be cancelled: the vendor offers no cancel call for them`,
      });
    }
    await this.#withToken(() => cancel(options));
  }

  #result(): Entitlement<V, Raw> {
    const entitlement = this.#status.entitlement;
    if (!entitlement) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: this.vendor,
        token: this.token,
        message: 'the operation finished without an entitlement',
      });
    }
    return entitlement;
  }

  #deadlineError(timeoutMs: number, cause?: unknown): EntitlementError {
    return new EntitlementError({
      kind: 'deadline-exceeded',
      vendor: this.vendor,
      token: this.token,
      retryable: true,
      message:
        `the operation was still running after ${timeoutMs} ms; it has not failed and may still complete: ` +
        'resume it later with resume(token)',
      cause,
    });
  }

  /** Errors from this handle carry its token, so the caller can always resume. */
  async #withToken<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isEntitlementError(error) && error.token === undefined) throw error.with({ token: this.token });
      throw error;
    }
  }
}

export function createOperation<V extends string, Raw>(
  driver: OperationDriver<V, Raw>,
): ProvisioningOperation<V, Raw> {
  return new Operation(driver);
}
