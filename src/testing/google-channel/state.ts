/**
 * The emulator's world: the reseller's customers and offers (configured), and the operations and
 * entitlements CreateEntitlement makes. Every method takes and returns messages in object form
 * ({@link OBJECT_OPTIONS}) and is transport-agnostic; errors are `google.rpc.Status` objects.
 *
 * Operations complete lazily: on the Nth GetOperation of them (`afterPolls`) or once `afterMs`
 * have passed since their creation, which {@link ChannelState.settle} applies before each call
 * and each snapshot. No timer runs.
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  type CancelOperationRequest,
  type CreateEntitlementRequest,
  type Entitlement,
  Entitlement_ProvisioningState,
  type GetEntitlementRequest,
  type GetOperationRequest,
  OperationMetadata_OperationType,
  REQUEST_MESSAGES,
  TYPE_NAMES,
} from '../../../generated/google/channel.ts';
import type {
  ChannelCompletion,
  ChannelCustomer,
  ChannelOffer,
  ChannelOperationSnapshot,
} from './defaults.ts';
import { type AnyObject, type ChannelEntitlementJson, packAny, timestamp, toJson } from './descriptor.ts';
import {
  Code,
  codeName,
  ERROR_DOMAIN,
  errorInfo,
  invalidArgument,
  notFound,
  preconditionFailure,
  type RpcStatus,
  rpcStatus,
} from './errors.ts';

const CUSTOMER_NAME = /^accounts\/([^/]+)\/customers\/([^/]+)$/;
const OFFER_NAME = /^accounts\/([^/]+)\/offers\/([^/]+)$/;
const ENTITLEMENT_NAME = /^accounts\/[^/]+\/customers\/[^/]+\/entitlements\/[^/]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const ENTITLEMENT_TYPE = TYPE_NAMES.Entitlement;
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The Entitlement fields a caller may set: every field not marked OUTPUT_ONLY in the protos (generated). */
const SETTABLE_ENTITLEMENT_FIELDS = REQUEST_MESSAGES[ENTITLEMENT_TYPE].settable;

const CREATE_METADATA: AnyObject = packAny(TYPE_NAMES.OperationMetadata, {
  operationType: OperationMetadata_OperationType.CREATE_ENTITLEMENT,
});

function randomId(length: number, alphabet = ID_ALPHABET): string {
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** An operation result in object form, or the status to answer with. */
export type Result<T> = { ok: true; value: T } | { ok: false; status: RpcStatus };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (status: RpcStatus): Result<never> => ({ ok: false, status });

/** How a `fail-operation` fault makes an operation end. */
export interface OperationFailure {
  code: number;
  message: string;
  reason?: string;
}

/** `google.longrunning.Operation` in object form. */
export interface OperationObject {
  name: string;
  metadata: AnyObject;
  done: boolean;
  error?: RpcStatus;
  response?: AnyObject;
}

interface OperationRecord {
  name: string;
  requestId: string | undefined;
  parent: string;
  offer: Readonly<ChannelOffer>;
  entitlement: Entitlement;
  createdAt: number;
  done: boolean;
  cancelled: boolean;
  polls: number;
  failure: OperationFailure | undefined;
  error: RpcStatus | undefined;
  response: AnyObject | undefined;
  entitlementName: string | undefined;
}

interface EntitlementRecord {
  parent: string;
  sku: string;
  productFamily: string | undefined;
  entitlement: Entitlement;
}

function checkOptions(
  customers: readonly ChannelCustomer[],
  offers: readonly ChannelOffer[],
  completion: ChannelCompletion,
): void {
  const seen = new Set<string>();
  for (const customer of customers) {
    if (typeof customer?.name !== 'string' || !CUSTOMER_NAME.test(customer.name))
      throw new TypeError(
        `customer name ${JSON.stringify(customer?.name)} is not accounts/{account_id}/customers/{customer_id}`,
      );
    if (seen.has(customer.name)) throw new TypeError(`customer ${customer.name} is listed twice`);
    seen.add(customer.name);
  }
  seen.clear();
  for (const offer of offers) {
    if (typeof offer?.name !== 'string' || !OFFER_NAME.test(offer.name))
      throw new TypeError(
        `offer name ${JSON.stringify(offer?.name)} is not accounts/{account_id}/offers/{offer_id}`,
      );
    if (seen.has(offer.name)) throw new TypeError(`offer ${offer.name} is listed twice`);
    if (typeof offer.sku !== 'string' || offer.sku === '')
      throw new TypeError(`offer ${offer.name} needs a sku`);
    seen.add(offer.name);
  }
  const { afterPolls, afterMs } = completion;
  if (afterPolls !== undefined && !(Number.isInteger(afterPolls) && afterPolls >= 0))
    throw new TypeError('completion.afterPolls must be an integer >= 0');
  if (afterMs !== undefined && !(Number.isFinite(afterMs) && afterMs >= 0))
    throw new TypeError('completion.afterMs must be a number of milliseconds >= 0');
}

export class ChannelState {
  readonly #customers: ReadonlyMap<string, Readonly<ChannelCustomer>>;
  readonly #offers: ReadonlyMap<string, Readonly<ChannelOffer>>;
  readonly #completion: Readonly<ChannelCompletion>;
  /** Operations by name, oldest first. */
  readonly #operations = new Map<string, OperationRecord>();
  /** Operation names by `parent` + request id. */
  readonly #byRequestId = new Map<string, string>();
  /** Entitlements by name, oldest first. */
  readonly #entitlements = new Map<string, EntitlementRecord>();
  /** The operations not done yet, oldest first: what `settle` looks at. */
  readonly #running = new Set<OperationRecord>();
  /**
   * Per customer, its entitlements and its running operations: what a create checks for
   * conflicts, without looking at every other customer's (a long test run makes many).
   */
  readonly #byParent = new Map<
    string,
    { entitlements: EntitlementRecord[]; running: Set<OperationRecord> }
  >();

  constructor(
    customers: readonly ChannelCustomer[],
    offers: readonly ChannelOffer[],
    completion: ChannelCompletion,
  ) {
    checkOptions(customers, offers, completion);
    this.#customers = new Map(customers.map((c) => [c.name, Object.freeze({ ...c })]));
    this.#offers = new Map(offers.map((o) => [o.name, Object.freeze({ ...o })]));
    this.#completion = Object.freeze({ ...completion });
  }

  // -------------------------------------------------------------------------------------------
  // CreateEntitlement

  /**
   * Validates the request in the vendor's documented order and creates an operation (or returns
   * the one an earlier call with the same `request_id` created). `takeFailure` is asked once,
   * only when a new operation is created.
   */
  createEntitlement(
    request: CreateEntitlementRequest,
    takeFailure: () => OperationFailure | undefined,
    now: number,
  ): Result<OperationObject> {
    const parent = request.parent ?? '';
    const parentMatch = CUSTOMER_NAME.exec(parent);
    if (!parentMatch)
      return fail(
        invalidArgument(
          'parent',
          parent === ''
            ? 'parent is required: accounts/{account_id}/customers/{customer_id}.'
            : `parent ${JSON.stringify(parent)} is not a customer name: accounts/{account_id}/customers/{customer_id}.`,
          'INVALID_PARENT',
        ),
      );
    const entitlement = request.entitlement;
    if (!entitlement)
      return fail(invalidArgument('entitlement', 'entitlement is required.', 'MISSING_ENTITLEMENT'));
    const offerName = entitlement.offer ?? '';
    const offerMatch = OFFER_NAME.exec(offerName);
    if (!offerMatch)
      return fail(
        invalidArgument(
          'entitlement.offer',
          offerName === ''
            ? 'entitlement.offer is required: accounts/{account_id}/offers/{offer_id}.'
            : `entitlement.offer ${JSON.stringify(offerName)} is not an offer name: accounts/{account_id}/offers/{offer_id}.`,
          'INVALID_OFFER',
        ),
      );
    const requestId = request.requestId ? request.requestId : undefined;
    if (requestId !== undefined && (!UUID.test(requestId) || requestId === ZERO_UUID))
      return fail(
        invalidArgument(
          'request_id',
          `request_id ${JSON.stringify(requestId)} must be a valid UUID other than the zero UUID (${ZERO_UUID}).`,
          'INVALID_REQUEST_ID',
        ),
      );

    const customer = this.#customers.get(parent);
    if (!customer) return fail(notFound('Customer', parent, 'CUSTOMER_NOT_FOUND'));
    const offer = this.#offers.get(offerName);
    // Offers belong to the reseller account: another account's offer does not exist for this one.
    if (!offer || offerMatch[1] !== parentMatch[1])
      return fail(notFound('Offer', offerName, 'OFFER_NOT_FOUND'));

    const dedupeKey = requestId === undefined ? undefined : `${parent}\n${requestId.toLowerCase()}`;
    const earlier = dedupeKey === undefined ? undefined : this.#byRequestId.get(dedupeKey);
    const earlierRecord = earlier === undefined ? undefined : this.#operations.get(earlier);
    if (earlierRecord) return ok(this.#operationObject(earlierRecord));

    const conflict = this.#conflict(parent, offer);
    if (conflict) return fail(conflict);

    if (customer.domainVerified === false)
      return fail(
        rpcStatus(
          Code.FAILED_PRECONDITION,
          `The domain required for purchasing a SKU has not been verified for customer ${parent}: verify the domain, then retry.`,
          [
            errorInfo('DOMAIN_NOT_VERIFIED', { customer: parent }),
            preconditionFailure([
              {
                type: 'DOMAIN_VERIFICATION',
                subject: parent,
                description: "The customer's domain is not verified.",
              },
            ]),
          ],
        ),
      );
    if (offer.requiresSku !== undefined && !this.#holdsSku(parent, offer.requiresSku))
      return fail(
        rpcStatus(
          Code.FAILED_PRECONDITION,
          `A pre-requisite SKU required to purchase ${offer.sku} is missing: the customer must first hold ${offer.requiresSku}.`,
          [
            errorInfo('PREREQUISITE_SKU_MISSING', { sku: offer.sku, requiredSku: offer.requiresSku }),
            preconditionFailure([
              {
                type: 'PREREQUISITE_SKU',
                subject: offer.requiresSku,
                description: `${offer.requiresSku} is required to purchase ${offer.sku}.`,
              },
            ]),
          ],
        ),
      );

    const record: OperationRecord = {
      name: `operations/${randomUUID()}`,
      requestId,
      parent,
      offer,
      entitlement: structuredClone(entitlement),
      createdAt: now,
      done: false,
      cancelled: false,
      polls: 0,
      failure: takeFailure(),
      error: undefined,
      response: undefined,
      entitlementName: undefined,
    };
    this.#operations.set(record.name, record);
    if (dedupeKey !== undefined) this.#byRequestId.set(dedupeKey, record.name);
    this.#running.add(record);
    this.#held(parent).running.add(record);
    const { afterPolls, afterMs } = this.#completion;
    if (afterPolls === 0 || afterMs === 0) this.#complete(record, now);
    return ok(this.#operationObject(record));
  }

  /** ALREADY_EXISTS for the same SKU, INVALID_ARGUMENT for another SKU of the same family. */
  #conflict(parent: string, offer: Readonly<ChannelOffer>): RpcStatus | undefined {
    const held: { sku: string; productFamily: string | undefined; resource: string }[] = [];
    const customer = this.#byParent.get(parent);
    for (const e of customer?.entitlements ?? [])
      held.push({ sku: e.sku, productFamily: e.productFamily, resource: e.entitlement.name ?? '' });
    for (const op of customer?.running ?? [])
      held.push({ sku: op.offer.sku, productFamily: op.offer.productFamily, resource: op.name });

    const same = held.find((h) => h.sku === offer.sku);
    if (same)
      return rpcStatus(
        Code.ALREADY_EXISTS,
        `The SKU was already purchased for the customer: ${parent} holds ${offer.sku} (${same.resource}).`,
        [errorInfo('SKU_ALREADY_PURCHASED', { sku: offer.sku, customer: parent, resource: same.resource })],
      );
    const family =
      offer.productFamily === undefined
        ? undefined
        : held.find((h) => h.productFamily === offer.productFamily);
    if (family)
      return rpcStatus(
        Code.INVALID_ARGUMENT,
        `There is already a customer entitlement for a SKU from the same product family: ${parent} holds ${family.sku} (${family.resource}) of product family ${offer.productFamily}.`,
        [
          errorInfo('SAME_PRODUCT_FAMILY', {
            sku: offer.sku,
            heldSku: family.sku,
            productFamily: offer.productFamily ?? '',
            resource: family.resource,
          }),
        ],
      );
    return undefined;
  }

  #holdsSku(parent: string, sku: string): boolean {
    return this.#byParent.get(parent)?.entitlements.some((e) => e.sku === sku) ?? false;
  }

  /** The customer's entitlements and running operations (made on its first create). */
  #held(parent: string): { entitlements: EntitlementRecord[]; running: Set<OperationRecord> } {
    let held = this.#byParent.get(parent);
    if (!held) {
      held = { entitlements: [], running: new Set() };
      this.#byParent.set(parent, held);
    }
    return held;
  }

  /** The operation is done (completed, failed or cancelled): it is no longer running. */
  #finish(record: OperationRecord): void {
    record.done = true;
    this.#running.delete(record);
    this.#byParent.get(record.parent)?.running.delete(record);
  }

  #complete(record: OperationRecord, at: number): void {
    this.#finish(record);
    if (record.failure) {
      const { code, message, reason } = record.failure;
      record.error = rpcStatus(code, message, [errorInfo(reason ?? codeName(code), {}, ERROR_DOMAIN)]);
      return;
    }
    const settable: Record<string, unknown> = {};
    for (const field of SETTABLE_ENTITLEMENT_FIELDS) {
      const value = (record.entitlement as Record<string, unknown>)[field];
      if (value !== undefined && value !== null) settable[field] = value;
    }
    const time = timestamp(at);
    const entitlement: Entitlement = {
      ...settable,
      name: `${record.parent}/entitlements/${randomId(16)}`,
      createTime: time,
      updateTime: time,
      offer: record.offer.name,
      provisioningState: Entitlement_ProvisioningState.ACTIVE,
      provisionedService: {
        provisioningId: randomId(18, '0123456789'),
        productId: record.offer.productFamily ?? record.offer.sku,
        skuId: record.offer.sku,
      },
      suspensionReasons: [],
    };
    const name = entitlement.name as string;
    const held: EntitlementRecord = {
      parent: record.parent,
      sku: record.offer.sku,
      productFamily: record.offer.productFamily,
      entitlement,
    };
    this.#entitlements.set(name, held);
    this.#held(record.parent).entitlements.push(held);
    record.entitlementName = name;
    record.response = packAny(ENTITLEMENT_TYPE, entitlement);
  }

  #operationObject(record: OperationRecord): OperationObject {
    const operation: OperationObject = { name: record.name, metadata: CREATE_METADATA, done: record.done };
    if (record.error) operation.error = record.error;
    if (record.response) operation.response = record.response;
    return structuredClone(operation);
  }

  /** Completes the running operations whose `afterMs` has passed. */
  settle(now: number): void {
    const { afterMs } = this.#completion;
    if (afterMs === undefined) return;
    for (const record of this.#running)
      if (now - record.createdAt >= afterMs) this.#complete(record, record.createdAt + afterMs);
  }

  // -------------------------------------------------------------------------------------------
  // google.longrunning.Operations

  #findOperation(name: string | null | undefined): Result<OperationRecord> {
    if (!name)
      return fail(invalidArgument('name', 'name is required: operations/{operation_id}.', 'INVALID_NAME'));
    const record = this.#operations.get(name);
    return record ? ok(record) : fail(notFound('Operation', name, 'OPERATION_NOT_FOUND'));
  }

  /** Reads an operation: counts a poll, and completes it on its `afterPolls`th. */
  getOperation(request: GetOperationRequest, now: number): Result<OperationObject> {
    const found = this.#findOperation(request.name);
    if (!found.ok) return found;
    const record = found.value;
    record.polls += 1;
    const { afterPolls } = this.#completion;
    if (!record.done && afterPolls !== undefined && record.polls >= afterPolls) this.#complete(record, now);
    return ok(this.#operationObject(record));
  }

  /** Ends a running operation with CANCELLED (no entitlement); leaves a done one as it is. */
  cancelOperation(request: CancelOperationRequest): Result<Record<string, never>> {
    const found = this.#findOperation(request.name);
    if (!found.ok) return found;
    const record = found.value;
    if (!record.done) {
      this.#finish(record);
      record.cancelled = true;
      record.error = rpcStatus(Code.CANCELLED, 'The operation was cancelled.');
    }
    return ok({});
  }

  // -------------------------------------------------------------------------------------------
  // GetEntitlement

  getEntitlement(request: GetEntitlementRequest): Result<Entitlement> {
    const name = request.name ?? '';
    if (!ENTITLEMENT_NAME.test(name))
      return fail(
        invalidArgument(
          'name',
          name === ''
            ? 'name is required: accounts/{account_id}/customers/{customer_id}/entitlements/{entitlement_id}.'
            : `name ${JSON.stringify(name)} is not an entitlement name: accounts/{account_id}/customers/{customer_id}/entitlements/{entitlement_id}.`,
          'INVALID_NAME',
        ),
      );
    const record = this.#entitlements.get(name);
    return record
      ? ok(structuredClone(record.entitlement))
      : fail(notFound('Entitlement', name, 'ENTITLEMENT_NOT_FOUND'));
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots

  operations(): ChannelOperationSnapshot[] {
    return [...this.#operations.values()].map((r) => ({
      name: r.name,
      ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
      parent: r.parent,
      offer: r.offer.name,
      done: r.done,
      cancelled: r.cancelled,
      polls: r.polls,
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
      ...(r.entitlementName === undefined ? {} : { entitlementName: r.entitlementName }),
    }));
  }

  entitlements(): ChannelEntitlementJson[] {
    return [...this.#entitlements.values()].map(
      (r) => toJson(ENTITLEMENT_TYPE, r.entitlement) as ChannelEntitlementJson,
    );
  }

  /** Forgets every operation and entitlement (customers and offers stay). */
  clear(): void {
    this.#operations.clear();
    this.#byRequestId.clear();
    this.#entitlements.clear();
    this.#running.clear();
    this.#byParent.clear();
  }
}
