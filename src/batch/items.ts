/**
 * Batch items: a create request for any registered vendor, with an optional `idempotencyKey`.
 * Every item has one key and one digest:
 * - the key is the item's own `idempotencyKey`, else what its vendor uses as one (Confluent:
 *   `entitlement.external_id`), else derived from the item's canonical content;
 * - the digest is the SHA-256 of the request's canonical content (without the key), so that a
 *   re-run can tell "the same order again" from "other content under the same key".
 * The vendor rules come from each vendor's fleet traits (src/vendors/<vendor>/fleet.ts).
 */
import { contentDigest } from '../core/canonical.ts';
import { EntitlementError } from '../core/errors.ts';
import type { PollingOptions } from '../core/types.ts';

/** A create request with its vendor, plus an optional idempotency key. */
export interface BatchItem {
  vendor: string;
  idempotencyKey?: string;
  [field: string]: unknown;
}

/** A request budget: at most `limit` requests per `intervalMs`. */
export interface Quota {
  limit: number;
  intervalMs: number;
}

/**
 * The calls bulk work makes, by quota bucket: `create` (the create request), `poll` (one step of a
 * pending operation), `get` (a read).
 */
export type FleetMethod = 'create' | 'poll' | 'get';

/** What a vendor tells the batch machinery about itself (no adapter code is loaded for it). */
export interface VendorFleetTraits {
  /**
   * The vendor's published quotas per method. A method left out has no published figure: bulk
   * work starts from a configurable rate and adapts when the vendor answers with a rate limit.
   */
  quotas?: Partial<Record<FleetMethod, Quota>>;
  /** The key the vendor itself dedupes on, when the request carries one (Confluent: external_id). */
  keyOf?(request: Record<string, unknown>): string | undefined;
  /** How bulk work polls this vendor's pending operations (default: 1 s, x1.5, at most 30 s). */
  polling?: PollingOptions;
  /** How long bulk work waits for one operation, in milliseconds (default 30 min). */
  waitTimeoutMs?: number;
  /**
   * Whether an error is the vendor's quota answer though its kind is not `rate-limited` (a vendor
   * that answers some quota errors with another status). `rate-limited` errors always are.
   */
  isRateLimited?(error: EntitlementError): boolean;
  /**
   * Loads the vendor's request checks (only when needed: they may be large) and returns a function
   * that throws `invalid-argument`, naming the field, for a request that must not be sent.
   */
  loadValidator?(): Promise<(request: Record<string, unknown>) => void>;
}

export interface KeyedItem {
  key: string;
  /** SHA-256 hex of the request's canonical JSON, without `idempotencyKey`. */
  digest: string;
  /** True when the key was derived from the content (no key given, none in the request). */
  derivedKey: boolean;
  /** The create request, without `idempotencyKey`. */
  request: Record<string, unknown> & { vendor: string };
}

function invalid(message: string, vendor = 'batch'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

/** The key, digest and bare request of one item; refuses what is not an item. */
export function keyItem(item: unknown, traits: VendorFleetTraits | undefined): KeyedItem {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw invalid('a batch item is a create request object with its "vendor"');
  const { idempotencyKey, ...request } = item as BatchItem;
  if (typeof request.vendor !== 'string' || request.vendor.length === 0)
    throw invalid('a batch item names its "vendor"');
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0))
    throw invalid('idempotencyKey must be a non-empty string when given', request.vendor);
  const digest = contentDigest(request, 'request', request.vendor);
  const own = traits?.keyOf?.(request);
  if (idempotencyKey !== undefined && own !== undefined && idempotencyKey !== own) {
    throw invalid(
      `idempotencyKey ${JSON.stringify(idempotencyKey)} differs from the key the request itself carries (${JSON.stringify(own)}): leave idempotencyKey out or make them equal`,
      request.vendor,
    );
  }
  const key = idempotencyKey ?? own;
  return key === undefined
    ? { key: `sha256:${digest}`, digest, derivedKey: true, request }
    : { key, digest, derivedKey: false, request };
}

/** Two items of one batch with the same key: the second is refused, naming both positions. */
export function duplicateKeyError(
  key: string,
  vendor: string,
  first: number,
  second: number,
): EntitlementError {
  return new EntitlementError({
    kind: 'invalid-argument',
    vendor,
    reason: 'DUPLICATE_KEY',
    message: `item ${second} has the same idempotency key as item ${first} (${JSON.stringify(key)}): one order, one key; give the second another key or remove it`,
    details: [{ field: 'idempotencyKey', key, positions: [first, second] }],
  });
}

/** An item whose content differs from what was recorded under its key: refused, nothing is sent. */
export function keyConflictError(
  key: string,
  vendor: string,
  recordedDigest: string,
  digest: string,
): EntitlementError {
  return new EntitlementError({
    kind: 'already-exists',
    vendor,
    reason: 'KEY_CONFLICT',
    message: `the idempotency key ${JSON.stringify(key)} was already used for other content (digest ${recordedDigest.slice(0, 12)}, now ${digest.slice(0, 12)}): an order never changes under its key; use a new key for the new content`,
    details: [{ field: 'idempotencyKey', key, recordedDigest, digest }],
  });
}
