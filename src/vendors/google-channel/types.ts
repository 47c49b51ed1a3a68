/**
 * Google Cloud Channel types, from the generated message types (generated/google/channel.ts).
 *
 * The v1 API's CreateEntitlementRequest has only parent, entitlement and request_id. The seed page's
 * `externalCorrelationId` (like the deprecated `enableDelegatedAdmin` and `cloudIdentityInfo`) exists
 * only in v1alpha1: this library keeps the caller's correlation id in the operation token and in
 * events, and sends nothing for it.
 */

import type * as channel from '../../../generated/google/channel.ts';
import type { EntitlementProvisioner } from '../../core/types.ts';

export const GOOGLE_CHANNEL = 'google-channel';
export type GoogleChannelVendor = typeof GOOGLE_CHANNEL;

export type ChannelMessages = typeof channel;

/**
 * The entitlement to create: what a request may carry, generated from the protos (every field not
 * marked OUTPUT_ONLY; `offer` is REQUIRED; 64-bit integers also as bigint).
 */
export type GoogleChannelEntitlementInput = channel.Entitlement_Input;

/** An entitlement parameter as a create request carries it. */
export type GoogleChannelParameterInput = channel.Parameter_Input;

export interface GoogleChannelCreateRequest {
  vendor: GoogleChannelVendor;
  /** The reseller's customer: `accounts/{account}/customers/{customer}`. */
  parent: string;
  entitlement: GoogleChannelEntitlementInput;
  /** Your system's id for this purchase (v1alpha1's externalCorrelationId): kept in the token and events. */
  externalCorrelationId?: string;
}

export interface GoogleChannelEntitlementRef {
  vendor: GoogleChannelVendor;
  /** `accounts/{account}/customers/{customer}/entitlements/{entitlement}` */
  name: string;
}

/** The vendor's Entitlement as a plain object: enums by name, 64-bit integers as decimal strings. */
export type GoogleChannelEntitlementResource = channel.Entitlement;

export type GoogleChannelProvisioner = EntitlementProvisioner<
  GoogleChannelVendor,
  GoogleChannelCreateRequest,
  GoogleChannelEntitlementRef,
  GoogleChannelEntitlementResource
>;

export type {
  CreateEntitlementRequest,
  Entitlement as ChannelEntitlement,
  GetEntitlementRequest,
  Operation as ChannelOperation,
  Parameter as ChannelParameter,
  Status as ChannelStatus,
} from '../../../generated/google/channel.ts';
