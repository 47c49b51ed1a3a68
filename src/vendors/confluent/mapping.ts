/** From the vendor's entitlement to the unified `Entitlement`. */
import type { CallMeta, Entitlement, EntitlementState } from '../../core/types.ts';
import { CONFLUENT, type ConfluentEntitlementResource, type ConfluentVendor } from './types.ts';

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The API has no status field: a 201 says the entitlement "is being created" (`pending`), a read
 * that finds it means it exists (`active`), and a `deleted_at` in the past means it is gone
 * (`suspended`, reason `deleted`).
 */
export function toEntitlement(
  resource: ConfluentEntitlementResource,
  seenAs: 'created' | 'read',
  meta: CallMeta | undefined,
  now = Date.now(),
): Entitlement<ConfluentVendor, ConfluentEntitlementResource> {
  const deletedAt = parseDate(resource.metadata?.deleted_at);
  let state: EntitlementState = seenAs === 'created' ? 'pending' : 'active';
  let stateReasons: string[] | undefined;
  if (deletedAt && deletedAt.getTime() <= now) {
    state = 'suspended';
    stateReasons = ['deleted'];
  }
  const entitlement: Entitlement<ConfluentVendor, ConfluentEntitlementResource> = {
    vendor: CONFLUENT,
    id: resource.id ?? '',
    state,
    product: resource.product_id,
    plan: resource.plan_id,
    externalId: resource.external_id,
    raw: resource,
  };
  const createdAt = parseDate(resource.metadata?.created_at);
  if (createdAt) entitlement.createdAt = createdAt;
  if (stateReasons) entitlement.stateReasons = stateReasons;
  if (meta) entitlement.meta = meta;
  return entitlement;
}
