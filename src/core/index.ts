export { CallTrace, type ResponseFacts } from './call-trace.ts';
export {
  EntitlementError,
  type EntitlementErrorInit,
  ERROR_KINDS,
  type ErrorKind,
  isEntitlementError,
  isErrorKind,
} from './errors.ts';
export {
  createEmitter,
  type Emit,
  type ProvisionerEvent,
  type ProvisionerEventInput,
  type ProvisionerEventListener,
} from './events.ts';
export { isLoopbackHost, parseHostPort } from './hosts.ts';
export { IDEMPOTENCY_NAMESPACE, newIdempotencyKey, uuidForKey } from './idempotency.ts';
export {
  createOperation,
  DEFAULT_POLLING,
  DEFAULT_WAIT_TIMEOUT_MS,
  type OperationDriver,
  resolvePolling,
} from './operation.ts';
export { DEFAULT_RETRY, type RetryContext, type RetrySettings, retrySettings, withRetries } from './retry.ts';
export { type AttemptSignal, attemptSignal, cancelledError, sleep, throwIfAborted } from './signals.ts';
export { decodeToken, decodeVendorToken, encodeToken, type TokenPayload, tokenVendor } from './token.ts';
export type * from './types.ts';
