/** From the Channel Entitlement (plain, normalised) to the unified `Entitlement`. */
import { type Entitlement_ProvisioningState, TYPE_NAMES } from '../../../generated/google/channel.ts';
import type { CallMeta, Entitlement, EntitlementState } from '../../core/types.ts';
import { toPlain } from './protos.ts';
import { GOOGLE_CHANNEL, type GoogleChannelEntitlementResource, type GoogleChannelVendor } from './types.ts';

/** Every ProvisioningState the protos define: a new one fails to compile until it is mapped here. */
const STATES: Readonly<Record<Entitlement_ProvisioningState, EntitlementState>> = {
  PROVISIONING_STATE_UNSPECIFIED: 'unknown',
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
};

function timestamp(value: { seconds?: unknown; nanos?: unknown } | null | undefined): Date | undefined {
  if (!value || value.seconds === undefined || value.seconds === null) return undefined;
  const ms = Number(value.seconds) * 1000 + Math.round(Number(value.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/** Normalises a decoded message or a plain object (enums by name, int64 as strings) first. */
export function normaliseEntitlement(value: unknown): GoogleChannelEntitlementResource {
  return toPlain<GoogleChannelEntitlementResource>(TYPE_NAMES.Entitlement, value);
}

/**
 * `plan` is the offer the caller ordered; `product` is the provisioned product (or SKU) when the
 * vendor reports one. A provisioning state Channel does not specify is `unknown`.
 */
export function toEntitlement(
  raw: GoogleChannelEntitlementResource,
  meta: CallMeta | undefined,
): Entitlement<GoogleChannelVendor, GoogleChannelEntitlementResource> {
  const name = String(raw.provisioningState ?? '');
  const state = Object.hasOwn(STATES, name) ? STATES[name as Entitlement_ProvisioningState] : 'unknown';
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
