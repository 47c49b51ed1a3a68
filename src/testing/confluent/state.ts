/**
 * The emulator's entitlements, kept in the vendor's JSON shape. An entitlement is unique per
 * `(organization.id, external_id)`; without an organization the key is `('', external_id)`.
 */
import { randomInt } from 'node:crypto';
import type { ConfluentEntitlement, ConfluentEntitlementRequest } from './spec.ts';

export const ENTITLEMENTS_PATH = '/partner/v2/entitlements';
const CRN_AUTHORITY = 'crn://confluent.cloud';
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `ent-` and 8 random base-36 characters. */
function newId(): string {
  let id = 'ent-';
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** RFC 3339 in UTC, to the second (the vendor's `2006-01-02T15:04:05Z` layout). */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** CRN segments are `name=value`; percent-encoding keeps any id a valid URI. */
function crnValue(value: string): string {
  return encodeURIComponent(value);
}

/** The URL of an entitlement at `origin`. */
export function entitlementUrl(origin: string, id: string): string {
  return `${origin}${ENTITLEMENTS_PATH}/${encodeURIComponent(id)}`;
}

export type CreateResult =
  | { created: true; entitlement: ConfluentEntitlement }
  | { created: false; existing: ConfluentEntitlement };

export class EntitlementStore {
  readonly #byId = new Map<string, ConfluentEntitlement>();
  readonly #idByKey = new Map<string, string>();

  static #key(organizationId: string | undefined, externalId: string): string {
    return JSON.stringify([organizationId ?? '', externalId]);
  }

  /** Stores a new entitlement built from a valid request, or returns the one it duplicates. */
  create(request: ConfluentEntitlementRequest, origin: string, now = new Date()): CreateResult {
    const key = EntitlementStore.#key(request.organization?.id, request.external_id);
    const existingId = this.#idByKey.get(key);
    const existing = existingId === undefined ? undefined : this.#byId.get(existingId);
    if (existing) return { created: false, existing: structuredClone(existing) };

    let id = newId();
    while (this.#byId.has(id)) id = newId();
    const organizationId = request.organization?.id;
    const self = entitlementUrl(origin, id);
    const entitlement: ConfluentEntitlement = {
      api_version: 'partner/v2',
      kind: 'Entitlement',
      id,
      metadata: {
        self,
        resource_name: `${CRN_AUTHORITY}/organization=${crnValue(organizationId ?? 'default')}/entitlement=${crnValue(id)}`,
        created_at: timestamp(now),
        updated_at: timestamp(now),
      },
      external_id: request.external_id,
      name: request.name,
      plan_id: request.plan_id,
      product_id: request.product_id,
    };
    if (request.usage_reporting_id !== undefined) entitlement.usage_reporting_id = request.usage_reporting_id;
    if (request.resource_id !== undefined) entitlement.resource_id = request.resource_id;
    if (request.organization !== undefined) {
      const { id: orgId, environment } = request.organization;
      entitlement.organization = {
        id: orgId,
        ...(environment === undefined ? {} : { environment }),
        related: `${origin}/org/v2/organizations/${encodeURIComponent(orgId)}`,
        resource_name: `${CRN_AUTHORITY}/organization=${crnValue(orgId)}`,
      };
    }
    this.#byId.set(id, entitlement);
    this.#idByKey.set(key, id);
    return { created: true, entitlement: structuredClone(entitlement) };
  }

  /** The entitlement with this id; with `organizationId`, only if it belongs to that organization. */
  get(id: string, organizationId?: string): ConfluentEntitlement | undefined {
    const entitlement = this.#byId.get(id);
    if (!entitlement) return undefined;
    if (organizationId !== undefined && entitlement.organization?.id !== organizationId) return undefined;
    return structuredClone(entitlement);
  }

  /** Every entitlement, oldest first (copies). */
  list(): ConfluentEntitlement[] {
    return [...this.#byId.values()].map((entitlement) => structuredClone(entitlement));
  }

  clear(): void {
    this.#byId.clear();
    this.#idByKey.clear();
  }
}
