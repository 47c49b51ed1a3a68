/**
 * The emulator's configuration types and defaults, and its snapshot types: this module loads
 * nothing else, so importing `entitlement-provisioner/testing` stays cheap until an emulator is
 * started (`startChannelEmulator` loads the protobuf and gRPC machinery).
 */

/** A customer of the reseller. */
export interface ChannelCustomer {
  /** `accounts/{account_id}/customers/{customer_id}`. */
  name: string;
  /** Whether the customer's domain is verified. Default `true`; `false` refuses every purchase. */
  domainVerified?: boolean;
}

/** An offer of the reseller. */
export interface ChannelOffer {
  /** `accounts/{account_id}/offers/{offer_id}`; only customers of the same account can buy it. */
  name: string;
  /** The SKU the offer sells: a customer holds at most one entitlement per SKU. */
  sku: string;
  /** A customer holds at most one SKU per product family. Default: no family. */
  productFamily?: string;
  /** A SKU the customer must already hold (an add-on's prerequisite). */
  requiresSku?: string;
}

/**
 * When operations complete. `afterPolls: N` completes an operation on its Nth GetOperation (`0`:
 * complete at creation); `afterMs` once that many milliseconds passed since its creation (`0`: at
 * creation). With both, whichever comes first; with neither (`{}`), operations never complete
 * (only CancelOperation ends them).
 */
export interface ChannelCompletion {
  afterPolls?: number;
  afterMs?: number;
}

/** A snapshot of an operation CreateEntitlement created. */
export interface ChannelOperationSnapshot {
  /** `operations/<uuid>`. */
  readonly name: string;
  /** The create's `request_id`, as sent (absent when none was sent). */
  readonly requestId?: string;
  readonly parent: string;
  readonly offer: string;
  readonly done: boolean;
  /** Whether CancelOperation ended it (it is then done with error CANCELLED). */
  readonly cancelled: boolean;
  /** How many GetOperation calls read it (after completion too). */
  readonly polls: number;
  /** The operation's error, when it failed or was cancelled. */
  readonly error?: { readonly code: number; readonly message: string };
  /** The entitlement it created, when it succeeded. */
  readonly entitlementName?: string;
}

/** The customers the emulator starts with when none are given. */
export const DEFAULT_CHANNEL_CUSTOMERS: readonly Readonly<ChannelCustomer>[] = Object.freeze([
  Object.freeze({ name: 'accounts/C0000001/customers/S0000001', domainVerified: true }),
  Object.freeze({ name: 'accounts/C0000001/customers/S0000002', domainVerified: false }),
]);

/** The offers the emulator starts with when none are given. */
export const DEFAULT_CHANNEL_OFFERS: readonly Readonly<ChannelOffer>[] = Object.freeze([
  Object.freeze({
    name: 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER',
    sku: 'sku-workspace-business-starter',
    productFamily: 'workspace',
  }),
  Object.freeze({
    name: 'accounts/C0000001/offers/OFFER-WORKSPACE-STANDARD',
    sku: 'sku-workspace-business-standard',
    productFamily: 'workspace',
  }),
  Object.freeze({
    name: 'accounts/C0000001/offers/OFFER-VAULT',
    sku: 'sku-vault',
    productFamily: 'vault',
    requiresSku: 'sku-workspace-business-starter',
  }),
  Object.freeze({ name: 'accounts/C0000001/offers/OFFER-GCP', sku: 'sku-gcp', productFamily: 'gcp' }),
]);

/** The completion schedule when none is given: done on the second GetOperation. */
export const DEFAULT_CHANNEL_COMPLETION: Readonly<ChannelCompletion> = Object.freeze({ afterPolls: 2 });

/** Quotas of {@link startChannelEmulator}; a missing entry means no limit. */
export interface ChannelQuota {
  /** CreateEntitlement calls per minute. */
  createPerMinute?: number;
  /** GetOperation calls per minute. */
  getOperationPerMinute?: number;
  /** GetEntitlement calls per minute. */
  getEntitlementPerMinute?: number;
}

/** The vendor's published figures (per project): pass them as `quota` to emulate them. */
export const CHANNEL_PUBLISHED_QUOTA: Readonly<Required<ChannelQuota>> = Object.freeze({
  createPerMinute: 120,
  getOperationPerMinute: 600,
  getEntitlementPerMinute: 120,
});
