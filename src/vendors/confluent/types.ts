/**
 * Confluent types, all derived from the generated OpenAPI types: when the vendor adds a plan id,
 * regenerating changes these and nothing here needs editing.
 */

import type { operations, Readable, Writable } from '../../../generated/confluent/schema.ts';
import type { EntitlementProvisioner } from '../../core/types.ts';

export const CONFLUENT = 'confluent';
export type ConfluentVendor = typeof CONFLUENT;

type CreateOperation = operations['createPartnerV2Entitlement'];
type GetOperation = operations['getPartnerV2Entitlement'];

export type { CreateOperation as ConfluentCreateOperation, GetOperation as ConfluentGetOperation };

/** The body of `POST /partner/v2/entitlements` (read-only fields left out). */
export type ConfluentEntitlementInput = Writable<
  CreateOperation['requestBody']['content']['application/json']
>;

/** An entitlement as the vendor returns it. */
export type ConfluentEntitlementResource = Readable<
  GetOperation['responses'][200]['content']['application/json']
>;

export type ConfluentPlanId = ConfluentEntitlementInput['plan_id'];
export type ConfluentProductId = ConfluentEntitlementInput['product_id'];

/** The vendor's error list (`Failure.errors`). */
export type ConfluentErrorItem = NonNullable<
  Readable<GetOperation['responses'][404]['content']['application/json']>['errors']
>[number];

export interface ConfluentCreateRequest {
  vendor: ConfluentVendor;
  /** The entitlement to create. `external_id` is its idempotency key: unique per customer. */
  entitlement: ConfluentEntitlementInput;
}

export interface ConfluentEntitlementRef {
  vendor: ConfluentVendor;
  id: string;
  /** Scope the read to this organization (`organization.id`). */
  organizationId?: NonNullable<GetOperation['parameters']['query']>['organization.id'];
}

export type ConfluentProvisioner = EntitlementProvisioner<
  ConfluentVendor,
  ConfluentCreateRequest,
  ConfluentEntitlementRef,
  ConfluentEntitlementResource
>;
