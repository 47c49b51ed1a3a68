/**
 * What one logical call has sent and seen so far: attempts, the last status and vendor request id,
 * timings, and the events that report them. Every adapter wraps each call in one.
 */
import { EntitlementError, isEntitlementError } from './errors.ts';
import type { Emit } from './events.ts';
import type { CallMeta } from './types.ts';

export interface ResponseFacts {
  httpStatus?: number;
  grpcCode?: number;
  requestId?: string;
}

export class CallTrace {
  readonly vendor: string;
  readonly operation: string;
  readonly #subject: string;
  readonly #emit: Emit;
  readonly #started = performance.now();
  #sentAt = 0;
  attempts = 0;
  last: ResponseFacts = {};

  constructor(vendor: string, operation: string, subject: string, emit: Emit) {
    this.vendor = vendor;
    this.operation = operation;
    this.#subject = subject;
    this.#emit = emit;
    emit({ type: 'request', operation });
  }

  /** A request is about to be sent; returns its attempt number. */
  begin(method: string): number {
    this.attempts++;
    this.last = {};
    this.#sentAt = performance.now();
    this.#emit({
      type: 'attempt',
      operation: this.operation,
      attempt: this.attempts,
      method,
      url: this.#subject,
    });
    return this.attempts;
  }

  /** The vendor answered the current attempt (success or error status). */
  responded(facts: ResponseFacts): void {
    this.last = facts;
    this.#emit({
      type: 'response',
      operation: this.operation,
      attempt: this.attempts,
      ...facts,
      durationMs: performance.now() - this.#sentAt,
    });
  }

  meta(): CallMeta {
    const value: CallMeta = {
      vendor: this.vendor,
      attempts: this.attempts,
      durationMs: performance.now() - this.#started,
    };
    if (this.last.requestId !== undefined) value.requestId = this.last.requestId;
    if (this.last.httpStatus !== undefined) value.httpStatus = this.last.httpStatus;
    if (this.last.grpcCode !== undefined) value.grpcCode = this.last.grpcCode;
    return value;
  }

  done(): CallMeta {
    const meta = this.meta();
    const { attempts, durationMs, requestId } = meta;
    this.#emit({
      type: 'done',
      operation: this.operation,
      attempts,
      durationMs,
      ...(requestId ? { requestId } : {}),
    });
    return meta;
  }

  /** The call failed for good: the error, with the attempt count, reported as an event. */
  failed(error: unknown): EntitlementError {
    const { attempts, durationMs } = this.meta();
    const failure = isEntitlementError(error)
      ? error.with({ attempts })
      : new EntitlementError({
          kind: 'internal',
          vendor: this.vendor,
          message: String(error),
          attempts,
          cause: error,
        });
    this.#emit({
      type: 'error',
      operation: this.operation,
      attempts,
      durationMs,
      errorKind: failure.kind,
      message: failure.message,
      ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
    });
    return failure;
  }
}
