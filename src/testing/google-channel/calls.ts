/**
 * What flows between the transports (gRPC, REST) and the emulator's logic, and the log of every
 * call. The log keeps no header but `x-goog-request-params`, so credentials never appear in it.
 */
import type { ChannelMethod } from './descriptor.ts';
import type { RpcStatus } from './errors.ts';
import type { ChannelCallFault, ChannelTransport } from './faults.ts';

/** One call as the emulator answered it. */
export interface ChannelCallRecord {
  readonly transport: ChannelTransport;
  readonly method: ChannelMethod;
  /** CreateEntitlement's `request_id`, when one was sent. */
  readonly requestId?: string;
  /** The `x-goog-request-params` metadata entry (gRPC) or header (REST), as sent. */
  readonly routingHeader?: string;
  /** The gRPC status code answered (`0` = OK); over REST, the code behind the HTTP status. */
  readonly code: number;
  /** When the call arrived (RFC 3339, UTC, milliseconds). */
  readonly time: string;
  /** The operation the call created, read or cancelled, if any. */
  readonly operationName?: string;
  /** The injected call fault applied, if one was. */
  readonly fault?: ChannelCallFault['type'];
}

/** A call as a transport hands it over: the request decoded to object form. */
export interface IncomingCall {
  transport: ChannelTransport;
  method: ChannelMethod;
  routingHeader: string | undefined;
  request: Record<string, unknown>;
  /**
   * Set when the transport could not decode the request (REST: invalid JSON, unknown field):
   * the call is logged and answered with this status without processing.
   */
  invalid?: RpcStatus;
}

/** What the transport answers: a response in object form, an error, or nothing (closing). */
export type CallOutcome =
  | { kind: 'ok'; response: object }
  | { kind: 'error'; status: RpcStatus }
  | { kind: 'closed' };

export type CallHandler = (call: IncomingCall) => Promise<CallOutcome>;

/** A transport's listening server. */
export interface RunningServer {
  readonly port: number;
  /** Stops listening and closes every connection; idempotent. */
  close(): Promise<void>;
}

export class CallLog {
  #entries: ChannelCallRecord[] = [];
  readonly #waiters = new Set<{ count: number; resolve(entries: ChannelCallRecord[]): void }>();

  add(entry: ChannelCallRecord): void {
    this.#entries.push(entry);
    for (const waiter of this.#waiters)
      if (this.#entries.length >= waiter.count) {
        this.#waiters.delete(waiter);
        waiter.resolve(this.snapshot());
      }
  }

  /**
   * Resolves with a snapshot once at least `count` calls are logged; rejects after `timeoutMs`
   * (real time) so that a call that never comes fails the wait.
   */
  waitFor(count: number, timeoutMs: number): Promise<ChannelCallRecord[]> {
    if (this.#entries.length >= count) return Promise.resolve(this.snapshot());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${count} call(s); ${this.#entries.length} logged`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        count,
        resolve: (entries: ChannelCallRecord[]) => {
          clearTimeout(timer);
          resolve(entries);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Copies, in the order the calls were answered. */
  snapshot(): ChannelCallRecord[] {
    return structuredClone(this.#entries);
  }

  clear(): void {
    this.#entries = [];
  }
}
