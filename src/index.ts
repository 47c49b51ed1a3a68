/**
 * entitlement-provisioner: create and read customer entitlements at several cloud vendors through
 * one interface.
 *
 * The root entry is the facade, the contract types and the error type. Each vendor's own adapter
 * is a subpath (`entitlement-provisioner/confluent`, `entitlement-provisioner/google-channel`),
 * the emulators are `entitlement-provisioner/testing`, and the kit for writing an adapter of
 * another vendor is `entitlement-provisioner/adapter`.
 */
export {
  EntitlementError,
  type EntitlementErrorInit,
  ERROR_KINDS,
  type ErrorKind,
  isEntitlementError,
  isErrorKind,
} from './core/errors.ts';
export type { ProvisionerEvent, ProvisionerEventListener } from './core/events.ts';
export type { RetryOptions } from './core/retry.ts';
export type {
  CallMeta,
  CallOptions,
  CommonAdapterOptions,
  Entitlement,
  EntitlementProvisioner,
  EntitlementState,
  OperationProgress,
  OperationStatus,
  PollingOptions,
  ProvisioningOperation,
  ResumeOptions,
  WaitOptions,
} from './core/types.ts';
export {
  type AdapterSource,
  type AnyProvisioner,
  type BuiltInVendors,
  createProvisioner,
  type FacadeResumeOptions,
  fromEnvironment,
  type Provisioner,
  type ProvisionerConfig,
  type VendorId,
  type VendorRegistry,
} from './provisioner.ts';
