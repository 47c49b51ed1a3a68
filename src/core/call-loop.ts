/**
 * The one call loop every adapter sends through: attempts, a timeout per attempt, the caller's
 * AbortSignal, retries with backoff, and the trace (events, attempt count, timings, the vendor's
 * last status and request id). An adapter supplies one attempt and the mapping of a failure that is
 * not yet an `EntitlementError`; everything else is here, once.
 *
 * - One way of being cancelled: each attempt gets one signal, aborted by its timeout or by the
 *   caller. The loop also stops waiting for an attempt the moment that signal aborts, so a vendor
 *   SDK that ignores signals cannot keep a caller waiting.
 * - Errors keep their stack and their cause; the attempt count is added to the error the adapter
 *   threw, and every secret the adapter knows is scrubbed from it.
 */
import { EntitlementError, isEntitlementError } from './errors.ts';
import type { Emit } from './events.ts';
import type { Redactor } from './redact.ts';
import { RetrySchedule, type RetrySettings } from './retry.ts';
import { AttemptScope, cancelledError, sleep } from './signals.ts';
import type { CallMeta } from './types.ts';

/** What the vendor said of one attempt. */
export interface ResponseFacts {
  httpStatus?: number;
  grpcCode?: number;
  requestId?: string;
}

export interface AttemptContext {
  /** Aborts when this attempt's timeout passes or the caller aborts. */
  signal: AbortSignal;
  /** Requests sent so far in this call, this one included (from 1). */
  readonly attempt: number;
  /** Records the vendor's answer to this attempt (for the response event and `meta`). */
  responded(facts: ResponseFacts): void;
  /**
   * Counts one more request inside this attempt, sent at once with no backoff (a request again
   * with a refreshed credential, say): every request counts in `attempts`.
   */
  resend(): void;
}

/** What the loop knows of a failure the adapter has to map. */
export interface FailureFacts {
  /** The attempt's own timeout fired. */
  timedOut: boolean;
  attempt: number;
  /** What the vendor said of this attempt, if anything. */
  response: ResponseFacts;
}

/** One adapter's settings for every call it makes. */
export interface CallSettings {
  vendor: string;
  emit: Emit;
  redactor: Redactor;
  retry: RetrySettings;
  /** Timeout of each attempt, in milliseconds. */
  timeoutMs: number;
}

export interface Call<T> {
  /** The logical call: `create`, `get`, `poll`, `cancel`, ... */
  operation: string;
  /** What it is about, for events (never a secret). */
  subject: string;
  /** The HTTP method or RPC name, for events. */
  method?: string;
  signal?: AbortSignal | undefined;
  /** Overrides the adapter's per-attempt timeout. */
  timeoutMs?: number | undefined;
  /** Overrides the adapter's retry settings. */
  retry?: RetrySettings | undefined;
  /** One attempt: resolves with the value, or throws (an `EntitlementError`, or anything else). */
  attempt(context: AttemptContext): Promise<T>;
  /** The `EntitlementError` for a failure that is not one yet (a transport error, a timeout). */
  failure(error: unknown, facts: FailureFacts): EntitlementError;
}

export interface CallResult<T> {
  value: T;
  meta: CallMeta;
}

/** What an attempt starts from: nothing heard yet (shared, never written to). */
const NOTHING_YET: ResponseFacts = Object.freeze({});

/**
 * The state of one logical call: attempts counted, the vendor's last answer, and the two callbacks
 * an attempt gets (`resend`, `responded`), made once per call and callable unbound.
 */
class CallState {
  attempts = 0;
  last: ResponseFacts = NOTHING_YET;
  readonly started = performance.now();
  #sentAt = this.started;
  readonly #emit: Emit;
  readonly #tracing: boolean;
  readonly #call: Call<unknown>;

  constructor(emit: Emit, call: Call<unknown>) {
    this.#emit = emit;
    this.#tracing = emit.active;
    this.#call = call;
  }

  /** A request is about to go out: one more attempt, nothing heard of it yet. */
  readonly announce = (): void => {
    this.attempts++;
    this.last = NOTHING_YET;
    if (!this.#tracing) return;
    this.#sentAt = performance.now();
    const call = this.#call;
    this.#emit({
      type: 'attempt',
      operation: call.operation,
      attempt: this.attempts,
      ...(call.method === undefined ? {} : { method: call.method }),
      url: call.subject,
    });
  };

  readonly responded = (facts: ResponseFacts): void => {
    this.last = facts;
    if (!this.#tracing) return;
    this.#emit({
      type: 'response',
      operation: this.#call.operation,
      attempt: this.attempts,
      ...facts,
      durationMs: performance.now() - this.#sentAt,
    });
  };

  meta(vendor: string): CallMeta {
    const { last } = this;
    const meta: CallMeta = { vendor, attempts: this.attempts, durationMs: performance.now() - this.started };
    if (last.requestId !== undefined) meta.requestId = last.requestId;
    if (last.httpStatus !== undefined) meta.httpStatus = last.httpStatus;
    if (last.grpcCode !== undefined) meta.grpcCode = last.grpcCode;
    return meta;
  }
}

/** What one attempt is given. */
class Context implements AttemptContext {
  readonly signal: AbortSignal;
  readonly resend: () => void;
  readonly responded: (facts: ResponseFacts) => void;
  readonly #state: CallState;

  constructor(signal: AbortSignal, state: CallState) {
    this.signal = signal;
    this.resend = state.announce;
    this.responded = state.responded;
    this.#state = state;
  }

  get attempt(): number {
    return this.#state.attempts;
  }
}

/** Runs one logical call to its end: a value with its meta, or one `EntitlementError`. */
export async function runCall<T>(settings: CallSettings, call: Call<T>): Promise<CallResult<T>> {
  const { vendor, emit, redactor } = settings;
  const { operation, signal } = call;
  // Made on the first failure: a call that succeeds at once never needs it.
  let schedule: RetrySchedule | undefined;
  const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
  const state = new CallState(emit, call as Call<unknown>);
  const tracing = emit.active;
  if (tracing) emit({ type: 'request', operation });
  try {
    for (let tries = 1; ; tries++) {
      if (signal?.aborted) throw cancelledError(vendor, operation, signal);
      state.announce();
      const scope = new AttemptScope(signal, timeoutMs);
      let failure: EntitlementError;
      try {
        let work: Promise<T>;
        try {
          // A plain value or a thenable is adopted; a synchronous throw is this attempt's failure.
          work = Promise.resolve(call.attempt(new Context(scope.signal, state)));
        } catch (error) {
          work = Promise.reject(error);
        }
        const value = await scope.race(work);
        const done = state.meta(vendor);
        if (tracing)
          emit({
            type: 'done',
            operation,
            attempts: state.attempts,
            durationMs: done.durationMs,
            ...(done.requestId === undefined ? {} : { requestId: done.requestId }),
          });
        return { value, meta: done };
      } catch (error) {
        if (signal?.aborted) throw withCause(cancelledError(vendor, operation, signal), error);
        failure = isEntitlementError(error)
          ? error
          : call.failure(error, {
              timedOut: scope.timedOut(),
              attempt: state.attempts,
              response: { ...state.last },
            });
      } finally {
        scope.dispose();
      }
      schedule ??= new RetrySchedule(call.retry ?? settings.retry);
      if (!schedule.allows(failure, tries)) throw failure;
      const delayMs = await schedule.next(failure);
      emit({
        type: 'retry',
        operation,
        attempt: state.attempts,
        delayMs,
        errorKind: failure.kind,
        message: failure.message,
      });
      await sleep(delayMs, vendor, operation, signal);
    }
  } catch (error) {
    const { attempts } = state;
    const failure = redactor.error(
      (isEntitlementError(error)
        ? error
        : new EntitlementError({
            kind: 'internal',
            vendor,
            message: `The ${operation} failed inside the library: ${String(error)}.`,
            retryable: false,
            cause: error,
          })
      ).with({ attempts }),
    );
    const { durationMs } = state.meta(vendor);
    emit({
      type: 'error',
      operation,
      attempts,
      durationMs,
      errorKind: failure.kind,
      message: failure.message,
      ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
    });
    throw failure;
  }
}

/** `error` with `cause` attached when it has none yet. */
function withCause(error: EntitlementError, cause: unknown): EntitlementError {
  return error.cause === undefined && cause !== undefined ? error.with({ cause }) : error;
}
