/** From the Channel Entitlement (plain, normalised) to the unified `Entitlement`. */
import type { CallMeta, Entitlement, EntitlementState } from '../../core/index.ts';
import { toPlain } from './protos.ts';
import { GOOGLE_CHANNEL, type GoogleChannelEntitlementResource, type GoogleChannelVendor } from './types.ts';

const STATES: Record<string, EntitlementState> = { ACTIVE: 'active', SUSPENDED: 'suspended' };

function timestamp(value: { seconds?: unknown; nanos?: unknown } | null | undefined): Date | undefined {
  if (!value || value.seconds === undefined || value.seconds === null) return undefined;
  const ms = Number(value.seconds) * 1000 + Math.round(Number(value.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** Normalises a decoded message or a plain object (enums by name, int64 as strings) first. */
export function normaliseEntitlement(value: unknown): GoogleChannelEntitlementResource {
  return toPlain<GoogleChannelEntitlementResource>('google.cloud.channel.v1.Entitlement', value);
}

/**
 * `plan` is the offer the caller ordered; `product` is the provisioned product (or SKU) when the
 * vendor reports one. A provisioning state Channel does not specify is `unknown`.
 */
export function toEntitlement(
  raw: GoogleChannelEntitlementResource,
  meta: CallMeta | undefined,
): Entitlement<GoogleChannelVendor, GoogleChannelEntitlementResource> {
  const state = STATES[String(raw.provisioningState ?? '')] ?? 'unknown';
  const entitlement: Entitlement<GoogleChannelVendor, GoogleChannelEntitlementResource> = {
    vendor: GOOGLE_CHANNEL,
    id: raw.name ?? '',
    state,
    product: raw.provisionedService?.productId || raw.provisionedService?.skuId || '',
    plan: raw.offer ?? '',
    raw,
  };
  const reasons = (raw.suspensionReasons ?? []).map(String);
  if (reasons.length > 0) entitlement.stateReasons = reasons;
  const createdAt = timestamp(raw.createTime);
  if (createdAt) entitlement.createdAt = createdAt;
  if (meta) entitlement.meta = meta;
  return entitlement;
}
