export type * as ConfluentSchema from '../../../generated/confluent/schema.ts';
export { DEFAULT_BASE_URL } from './base-url.ts';
export type { ConfluentCredentials, TokenProvider, TokenRequest } from './credentials.ts';
export { type ConfluentOptions, createConfluentProvisioner } from './provisioner.ts';
export type * from './types.ts';
export { CONFLUENT } from './types.ts';
