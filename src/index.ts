/**
 * entitlement-provisioner: create and read customer entitlements at several cloud vendors through
 * one interface.
 */
export type { DistributiveOmit, ProvisionerEventBase } from './core/events.ts';
export * from './core/index.ts';
export {
  type AdapterSource,
  type AnyProvisioner,
  type BuiltInVendors,
  createProvisioner,
  fromEnvironment,
  type Provisioner,
  type ProvisionerConfig,
  type VendorId,
  type VendorRegistry,
} from './provisioner.ts';
export * from './vendors/confluent/index.ts';
