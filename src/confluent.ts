/** `entitlement-provisioner/confluent`: the Confluent Cloud partner/v2 adapter. */
export * from './vendors/confluent/index.ts';
