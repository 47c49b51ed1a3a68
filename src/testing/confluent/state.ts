/**
 * The emulator's entitlements, kept in the vendor's JSON shape. An entitlement is unique per
 * `(organization.id, external_id)`; without an organization the key is `('', external_id)`.
 *
 * What is stored comes from the spec: every field of the request that the entitlement's response
 * schema defines (objects by the members that schema defines), the response's read-only constants
 * (a read-only field with a single enum value, such as `api_version`), and what the vendor assigns
 * itself: the id, `metadata` and the organization's links, each only where the schema has it.
 */
import { randomInt } from 'node:crypto';
import { isObject } from '../../openapi/json-pointer.ts';
import type { FieldShape } from '../../openapi/shape.ts';
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
function timestamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** CRN segments are `name=value`; percent-encoding keeps any id a valid URI. */
function crnValue(value: string): string {
  return encodeURIComponent(value);
}

/** The URL of an entitlement at `origin`. */
export function entitlementUrl(origin: string, id: string): string {
  return `${origin}${ENTITLEMENTS_PATH}/${encodeURIComponent(id)}`;
}

/**
 * The part of `value` that a field of shape `shape` carries: objects keep the members the shape
 * defines (all of them when it defines none), arrays are kept element by element.
 */
export function keptBy(shape: FieldShape | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => keptBy(shape?.items, item));
  if (!isObject(value)) return value;
  const properties = shape?.properties;
  const kept: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined) continue;
    if (properties === undefined) kept[name] = structuredClone(member);
    else if (name in properties) kept[name] = keptBy(properties[name], member);
  }
  return kept;
}

/** A read-only field whose schema allows one value only (`api_version: [partner/v2]`). */
function constantOf(shape: FieldShape): { value: unknown } | undefined {
  if (shape.readOnly !== true || shape.open === true || shape.enum?.length !== 1) return undefined;
  return { value: shape.enum[0] };
}

export type CreateResult =
  | { created: true; entitlement: ConfluentEntitlement }
  | { created: false; existing: ConfluentEntitlement };

export class EntitlementStore {
  readonly #byId = new Map<string, ConfluentEntitlement>();
  readonly #idByKey = new Map<string, string>();
  readonly #resource: FieldShape;
  readonly #now: () => number;

  /** `resource`: the entitlement's response schema; `now`: the clock (milliseconds since the epoch). */
  constructor(resource: FieldShape, now: () => number) {
    this.#resource = resource;
    this.#now = now;
  }

  static #key(organizationId: string | undefined, externalId: string): string {
    return JSON.stringify([organizationId ?? '', externalId]);
  }

  /** Stores a new entitlement built from a valid request, or returns the one it duplicates. */
  create(request: ConfluentEntitlementRequest, origin: string): CreateResult {
    const key = EntitlementStore.#key(request.organization?.id, request.external_id);
    const existingId = this.#idByKey.get(key);
    const existing = existingId === undefined ? undefined : this.#byId.get(existingId);
    if (existing) return { created: false, existing: structuredClone(existing) };

    let id = newId();
    while (this.#byId.has(id)) id = newId();
    const entitlement = this.#build(request, id, origin);
    this.#byId.set(id, entitlement);
    this.#idByKey.set(key, id);
    return { created: true, entitlement: structuredClone(entitlement) };
  }

  #build(request: ConfluentEntitlementRequest, id: string, origin: string): ConfluentEntitlement {
    const fields = this.#resource.properties ?? {};
    const sent = request as unknown as Record<string, unknown>;
    const organizationId = request.organization?.id;
    const now = timestamp(this.#now());
    // What the vendor assigns, by field; a field the response schema does not define is left out.
    const assigned: Record<string, () => unknown> = {
      id: () => id,
      metadata: () =>
        keptBy(fields.metadata, {
          self: entitlementUrl(origin, id),
          resource_name: `${CRN_AUTHORITY}/organization=${crnValue(organizationId ?? 'default')}/entitlement=${crnValue(id)}`,
          created_at: now,
          updated_at: now,
        }),
    };
    const entitlement: Record<string, unknown> = {};
    for (const [name, shape] of Object.entries(fields)) {
      const constant = constantOf(shape);
      if (sent[name] !== undefined) entitlement[name] = keptBy(shape, sent[name]);
      else if (constant) entitlement[name] = constant.value;
      else if (assigned[name]) entitlement[name] = assigned[name]();
    }
    const organization = entitlement.organization;
    if (isObject(organization) && typeof organizationId === 'string') {
      const links: Record<string, string> = {
        related: `${origin}/org/v2/organizations/${encodeURIComponent(organizationId)}`,
        resource_name: `${CRN_AUTHORITY}/organization=${crnValue(organizationId)}`,
      };
      const members = fields.organization?.properties ?? {};
      for (const [name, value] of Object.entries(links)) if (name in members) organization[name] = value;
    }
    return entitlement as ConfluentEntitlement;
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
