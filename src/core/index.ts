export {
  checkBoolean,
  checkFunction,
  checkHeaders,
  checkInteger,
  checkNumber,
  checkOptionalString,
  checkOptionsObject,
  checkSignal,
  checkString,
  checkTimeout,
  describeValue,
  invalidArgument,
  invalidField,
  isPlainObject,
  MAX_TIMER_MS,
} from './arguments.ts';
export {
  type AttemptContext,
  type Call,
  type CallResult,
  type CallSettings,
  type FailureFacts,
  type ResponseFacts,
  runCall,
} from './call-loop.ts';
export {
  type CallOptionRules,
  type CheckedAdapterOptions,
  type CheckedCallOptions,
  type CheckedResumeOptions,
  type CheckedWaitOptions,
  COMMON_ADAPTER_KEYS,
  checkAdapterOptions,
  checkCallOptions,
  checkPolling,
  checkResumeOptions,
  checkWaitOptions,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_WAIT_MS,
} from './call-options.ts';
export { canonicalJson, contentDigest, jsonSnapshot } from './canonical.ts';
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
export { lazyProvisioner } from './lazy.ts';
export {
  createOperation,
  DEFAULT_POLLING,
  DEFAULT_WAIT_TIMEOUT_MS,
  type OperationDriver,
  resolvePolling,
} from './operation.ts';
export { importPeer, missingPeerError, type PeerRequirement } from './peer.ts';
export { REDACTED, Redactor } from './redact.ts';
export {
  DEFAULT_RETRY,
  type RetryOptions,
  RetrySchedule,
  type RetrySettings,
  resolveRetry,
} from './retry.ts';
export {
  type AttemptSignal,
  attemptSignal,
  cancelledError,
  raceAbort,
  sleep,
  throwIfAborted,
} from './signals.ts';
export { decodeToken, decodeVendorToken, encodeToken, type TokenPayload, tokenVendor } from './token.ts';
export type * from './types.ts';
