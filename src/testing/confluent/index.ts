export {
  type ConfluentApiKeyCredential,
  type ConfluentBearerCredential,
  type ConfluentEmulatorCredential,
  DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
} from './auth.ts';
export {
  type ConfluentEmulator,
  type ConfluentEmulatorClock,
  type ConfluentEmulatorOptions,
  startConfluentEmulator,
} from './emulator.ts';
export type {
  ConfluentDropAfterCommitFault,
  ConfluentFault,
  ConfluentFaultMatch,
  ConfluentLatencyFault,
  ConfluentResetFault,
  ConfluentStatusFault,
  PendingConfluentFault,
} from './faults.ts';
export type { ConfluentRateLimit } from './rate-limit.ts';
export type { ConfluentRecordedRequest } from './request-log.ts';
export type {
  ConfluentEntitlement,
  ConfluentEntitlementRequest,
  ConfluentError,
  ConfluentFailure,
  ConfluentOperationId,
} from './spec.ts';
