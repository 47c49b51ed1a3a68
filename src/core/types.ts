/**
 * The contract every vendor adapter implements (docs/architecture.md, "The contract"). Core knows no vendor: an adapter
 * fills in its vendor id and its own request, reference and raw entitlement types.
 */
import type { ProvisionerEventListener } from './events.ts';
import type { RetryOptions } from './retry.ts';

export type EntitlementState = 'pending' | 'active' | 'suspended' | 'unknown';

/** What one call cost and how the vendor identified it. */
export interface CallMeta {
  vendor: string;
  /** The vendor's id for the last request sent (`X-Request-Id`, gRPC metadata). */
  requestId?: string;
  httpStatus?: number;
  grpcCode?: number;
  /** Requests sent for this call, retries included. */
  attempts: number;
  durationMs: number;
}

export interface Entitlement<V extends string = string, Raw = unknown> {
  vendor: V;
  id: string;
  state: EntitlementState;
  /** Why the state is what it is, when the vendor says (a suspension reason, `deleted`, ...). */
  stateReasons?: string[];
  product: string;
  plan: string;
  externalId?: string;
  createdAt?: Date;
  /** The vendor's own object, typed from generated/. */
  raw: Raw;
  /** The call that produced this value. */
  meta?: CallMeta;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Timeout of each request sent, in milliseconds (retries get a fresh one). */
  timeoutMs?: number;
  /** Extra request headers (never logged). */
  headers?: Record<string, string>;
  /** One key per logical create, reused on every retry and on resume. */
  idempotencyKey?: string;
  /** Retries after the first request (default 2). */
  maxRetries?: number;
}

export interface PollingOptions {
  /** First delay between polls, in milliseconds. */
  initialDelayMs?: number;
  /** Growth of the delay after each poll. */
  multiplier?: number;
  /** Longest delay between polls. */
  maxDelayMs?: number;
}

export interface OperationProgress {
  /** Polls made so far by this handle. */
  polls: number;
  elapsedMs: number;
  /** The vendor's progress figure or metadata, when it reports one. */
  percent?: number;
  message?: string;
}

export interface OperationStatus<V extends string = string, Raw = unknown> {
  done: boolean;
  /** The entitlement as last seen: pending while the operation runs, final once it is done. */
  entitlement?: Entitlement<V, Raw>;
  progress?: OperationProgress;
  meta?: CallMeta;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Total time to wait, in milliseconds; past it `wait` rejects with `deadline-exceeded` and the token. */
  timeoutMs?: number;
  /** Polling schedule; defaults come from the adapter (and survive `resume`). */
  polling?: PollingOptions;
  /** Called after every poll that did not finish the operation. */
  onProgress?: (status: OperationStatus) => void;
  /** Options for each poll request. */
  pollOptions?: Omit<CallOptions, 'signal' | 'idempotencyKey'>;
}

export interface ProvisioningOperation<V extends string = string, Raw = unknown> {
  readonly vendor: V;
  /** Opaque and JSON-safe: enough to resume this operation in another process. */
  readonly token: string;
  readonly done: boolean;
  /** True when the vendor answered with what an earlier request for the same idempotency key made. */
  readonly replayed: boolean;
  /** The latest status this handle knows. */
  readonly status: OperationStatus<V, Raw>;
  /** The call that created (or resumed) the operation: its requests, status and vendor request id. */
  readonly meta: CallMeta;
  /** Polls this handle has made (each may have sent more than one request: see `status.meta`). */
  readonly polls: number;
  /** One step: asks the vendor once, never waits. */
  poll(options?: CallOptions): Promise<OperationStatus<V, Raw>>;
  /** Polls until the operation is done, the deadline passes or the signal aborts. */
  wait(options?: WaitOptions): Promise<Entitlement<V, Raw>>;
  /** Cancels the operation where the vendor supports it. */
  cancel(options?: CallOptions): Promise<void>;
}

export interface ResumeOptions extends CallOptions {
  polling?: PollingOptions;
}

export interface EntitlementProvisioner<
  V extends string = string,
  Req = unknown,
  Ref = unknown,
  Raw = unknown,
> {
  readonly vendor: V;
  create(request: Req, options?: CallOptions): Promise<ProvisioningOperation<V, Raw>>;
  resume(token: string, options?: ResumeOptions): Promise<ProvisioningOperation<V, Raw>>;
  get(ref: Ref, options?: CallOptions): Promise<Entitlement<V, Raw>>;
  /** Releases connections, channels and timers; calls after it are refused. Safe to call twice. */
  close(): Promise<void>;
  /** `await using provisioner = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Settings every adapter accepts. */
export interface CommonAdapterOptions {
  /** Retries after the first request (default 2); shorthand for `retry.maxRetries`. */
  maxRetries?: number;
  /** The retry policy: retries, backoff (0.5 s doubling to 8 s by default) and the longest Retry-After honoured. */
  retry?: RetryOptions;
  /** Timeout of each request, in milliseconds. */
  timeoutMs?: number;
  /** Default polling schedule of operations. */
  polling?: PollingOptions;
  /** Default total wait of `operation.wait()`, in milliseconds. */
  waitTimeoutMs?: number;
  /** Receives request, attempt, retry, response, poll and done events. Never sees secrets. */
  onEvent?: ProvisionerEventListener;
}
