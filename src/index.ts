/**
 * entitlement-provisioner: create and read customer entitlements at several cloud vendors through
 * one interface.
 */
export * from './core/index.ts';
export * from './vendors/confluent/index.ts';
