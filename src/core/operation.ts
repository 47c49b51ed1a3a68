/**
 * The operation handle shared by all adapters: an adapter supplies one-step `poll` (and `cancel`),
 * this module supplies `wait` with a finite deadline, the caller's polling schedule, AbortSignal and
 * progress callbacks. A deadline that passes while the operation still runs is `deadline-exceeded`
 * carrying the token: the operation may still complete and can be resumed.
 */
import type { IBackoff } from 'cockatiel';
import { MAX_TIMER_MS } from './arguments.ts';
import { loadBackoff } from './backoff.ts';
import {
  type CallOptionRules,
  type CheckedCallOptions,
  checkCallOptions,
  checkWaitOptions,
} from './call-options.ts';
import { EntitlementError, isEntitlementError } from './errors.ts';
import type { Emit } from './events.ts';
import { AttemptScope, sleep, throwIfAborted } from './signals.ts';
import type {
  CallMeta,
  Entitlement,
  OperationStatus,
  PollingOptions,
  ProvisioningOperation,
  WaitOptions,
} from './types.ts';

/** 1 s, x1.5, at most 30 s between polls (docs/architecture.md, "Long-running operations"). */
export const DEFAULT_POLLING: Readonly<Required<PollingOptions>> = {
  initialDelayMs: 1_000,
  multiplier: 1.5,
  maxDelayMs: 30_000,
};

/** A finite default for the whole wait (gax has none). */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

const POLL_KEYS = ['signal', 'timeoutMs', 'headers', 'maxRetries'] as const;

export interface OperationDriver<V extends string, Raw> {
  vendor: V;
  token: string;
  replayed: boolean;
  meta: CallMeta;
  initial: OperationStatus<V, Raw>;
  /** Asks the vendor once; rejects with `operation-failed` when the operation failed. */
  poll(options: CheckedCallOptions): Promise<OperationStatus<V, Raw>>;
  /** Undefined when the vendor has no way to cancel. */
  cancel?: (options: CheckedCallOptions) => Promise<void>;
  /** How the adapter checks the options of `poll`, `cancel` and `wait`. */
  rules: CallOptionRules;
  polling?: PollingOptions;
  waitTimeoutMs?: number;
  emit: Emit;
}

/** The polling schedule: the defaults, overridden by each layer in turn (already checked). */
export function resolvePolling(...layers: (PollingOptions | undefined)[]): Required<PollingOptions> {
  const merged: Required<PollingOptions> = { ...DEFAULT_POLLING };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(merged) as (keyof PollingOptions)[]) {
      const value = layer[key];
      if (value !== undefined) merged[key] = value;
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
  /** Polls made by this handle. */
  get polls(): number {
    return this.#polls;
  }

  poll(options?: Parameters<ProvisioningOperation<V, Raw>['poll']>[0]): Promise<OperationStatus<V, Raw>> {
    return this.#withToken(async () => {
      const { vendor, rules } = this.#driver;
      return this.#poll(checkCallOptions(vendor, options, rules, 'options', POLL_KEYS));
    });
  }

  async #poll(options: CheckedCallOptions): Promise<OperationStatus<V, Raw>> {
    if (this.#status.done) return this.#status;
    const status = await this.#driver.poll(options);
    this.#polls++;
    this.#status = status;
    return status;
  }

  /** Every error from `wait` carries the token, so the caller can always resume. */
  wait(options?: WaitOptions): Promise<Entitlement<V, Raw>> {
    return this.#withToken(() => this.#wait(options));
  }

  async #wait(input: WaitOptions | undefined): Promise<Entitlement<V, Raw>> {
    const { vendor, emit, rules } = this.#driver;
    const options = checkWaitOptions(vendor, input, rules);
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.#driver.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const deadline = started + timeoutMs;
    const polling = resolvePolling(this.#driver.polling, options.polling);
    let backoff: IBackoff<unknown> | undefined;
    for (;;) {
      if (this.#status.done) return this.#result();
      throwIfAborted(vendor, 'wait', options.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.#deadlineError(timeoutMs);
      // The whole remaining time bounds this poll; a timer cannot hold more than MAX_TIMER_MS.
      const attempt = new AttemptScope(options.signal, Math.min(remaining, MAX_TIMER_MS));
      let status: OperationStatus<V, Raw>;
      try {
        status = await this.#poll({ ...options.pollOptions, signal: attempt.signal });
      } catch (error) {
        if (attempt.timedOut() && Date.now() >= deadline) throw this.#deadlineError(timeoutMs, error);
        throw error;
      } finally {
        attempt.dispose();
      }
      const elapsedMs = Date.now() - started;
      if (status.done) {
        if (emit.active) emit({ type: 'poll', operation: 'wait', polls: this.#polls, done: true, elapsedMs });
        return this.#result();
      }
      if (backoff) backoff = backoff.next(undefined);
      else {
        const { ExponentialBackoff, noJitterGenerator } = await loadBackoff();
        backoff = new ExponentialBackoff({
          initialDelay: polling.initialDelayMs,
          maxDelay: Math.max(polling.maxDelayMs, polling.initialDelayMs),
          exponent: polling.multiplier,
          generator: noJitterGenerator,
        }).next();
      }
      const pause = Math.min(backoff.duration, deadline - Date.now());
      if (emit.active)
        emit({
          type: 'poll',
          operation: 'wait',
          polls: this.#polls,
          done: false,
          elapsedMs,
          nextDelayMs: Math.max(0, pause),
        });
      if (options.onProgress)
        this.#progress(options.onProgress, {
          ...status,
          progress: { ...status.progress, polls: this.#polls, elapsedMs },
        });
      if (pause <= 0) throw this.#deadlineError(timeoutMs);
      await sleep(pause, vendor, 'wait', options.signal);
    }
  }

  /** A progress callback that throws is reported as a warning; it never breaks the wait. */
  #progress(onProgress: WaitOptions['onProgress'], status: OperationStatus<V, Raw>): void {
    if (!onProgress) return;
    try {
      onProgress(status);
    } catch (error) {
      const what = error instanceof Error ? error.name : typeof error;
      process.emitWarning(`entitlement-provisioner: an onProgress callback threw (${what})`);
    }
  }

  cancel(options?: Parameters<ProvisioningOperation<V, Raw>['cancel']>[0]): Promise<void> {
    return this.#withToken(async () => {
      const { cancel, vendor, rules } = this.#driver;
      const checked = checkCallOptions(vendor, options, rules, 'options', POLL_KEYS);
      if (!cancel) {
        throw new EntitlementError({
          kind: 'failed-precondition',
          vendor,
          message: `${vendor} operations cannot be cancelled: the vendor has no cancel call for them.`,
        });
      }
      await cancel(checked);
    });
  }

  #result(): Entitlement<V, Raw> {
    const entitlement = this.#status.entitlement;
    if (!entitlement) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: this.vendor,
        message: 'The operation finished without an entitlement.',
      });
    }
    return entitlement;
  }

  #deadlineError(timeoutMs: number, cause?: unknown): EntitlementError {
    return new EntitlementError({
      kind: 'deadline-exceeded',
      vendor: this.vendor,
      retryable: true,
      message:
        `The operation was still running after ${timeoutMs} ms; it has not failed and may still complete. ` +
        'Resume it later with its token.',
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
