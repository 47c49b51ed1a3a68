/**
 * The Cloud Channel emulator over its two wire protocols, with raw clients only: a plain
 * `@grpc/grpc-js` client built from the same descriptor (proto-loader `fromJSON` +
 * `loadPackageDefinition`, insecure credentials), and `fetch` for REST. Error details are decoded
 * from `grpc-status-details-bin` with protobufjs; Any payloads are unpacked by hand.
 */
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import {
  type CallOptions,
  type Client,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, onTestFinished } from 'vitest';
import descriptor from '../../generated/google/channel.json' with { type: 'json' };
import {
  type Any,
  Code,
  type Duration,
  type Entitlement,
  type Int64,
  type Operation,
  type Timestamp,
} from '../../generated/google/channel.ts';
import {
  type ChannelEmulator,
  type ChannelEmulatorOptions,
  type ChannelEntitlementJson,
  createManualClock,
  DEFAULT_CHANNEL_CUSTOMERS,
  DEFAULT_CHANNEL_OFFERS,
  type JsonOf,
  startChannelEmulator,
} from '../../src/testing/index.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

const PARENT = 'accounts/C0000001/customers/S0000001';
const UNVERIFIED = 'accounts/C0000001/customers/S0000002';
const STARTER = 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER';
const STANDARD = 'accounts/C0000001/offers/OFFER-WORKSPACE-STANDARD';
const VAULT = 'accounts/C0000001/offers/OFFER-VAULT';
const GCP = 'accounts/C0000001/offers/OFFER-GCP';
const DOMAIN = 'cloudchannel.googleapis.com';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const OPERATION_NAME = /^operations\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const METADATA_TYPE = 'type.googleapis.com/google.cloud.channel.v1.OperationMetadata';
const ENTITLEMENT_TYPE = 'type.googleapis.com/google.cloud.channel.v1.Entitlement';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/** The status codes, from google/rpc/code.proto (generated). */
const Status = Code;

// ---------------------------------------------------------------------------------------------
// Decoding with protobufjs, independently of the emulator's code

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
root.resolveAll();
const OBJECT = { longs: String, enums: String, defaults: false } as const;

interface Unpacked {
  typeName: string;
  value: Record<string, unknown>;
}

function unpack(any: { type_url?: string | null; value?: Uint8Array | string | null } | undefined): Unpacked {
  const typeUrl = any?.type_url ?? '';
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const type = root.lookupType(typeName);
  const bytes = any?.value ?? new Uint8Array();
  const value = type.toObject(
    type.decode(typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes),
    OBJECT,
  );
  return { typeName, value };
}

interface DecodedStatus {
  code: number;
  message: string;
  details: Unpacked[];
}

/** The `google.rpc.Status` in `grpc-status-details-bin`, its details unpacked. */
function statusOf(error: ServiceError): DecodedStatus {
  const [bin] = error.metadata.get('grpc-status-details-bin');
  expect(Buffer.isBuffer(bin), 'grpc-status-details-bin is present').toBe(true);
  const type = root.lookupType('google.rpc.Status');
  const status = type.toObject(type.decode(bin as Buffer), { ...OBJECT, defaults: true }) as {
    code: number;
    message: string;
    details: Any[];
  };
  return { code: status.code, message: status.message, details: status.details.map(unpack) };
}

function detail(status: { details: Unpacked[] }, typeName: string): Record<string, unknown> {
  const found = status.details.find((d) => d.typeName === typeName);
  expect(found, `${typeName} detail in ${JSON.stringify(status.details)}`).toBeDefined();
  return found?.value ?? {};
}

// ---------------------------------------------------------------------------------------------
// gRPC client

type Reply<T> = { ok: true; value: T } | { ok: false; error: ServiceError };
type Unary = (
  request: object,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, value?: unknown) => void,
) => void;
type ClientConstructor = new (target: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

const packages = loadPackageDefinition(fromJSON(descriptor as protobuf.INamespace, OBJECT)) as unknown as {
  google: {
    cloud: { channel: { v1: { CloudChannelService: ClientConstructor } } };
    longrunning: { Operations: ClientConstructor };
  };
};

interface OperationObject {
  name: string;
  metadata?: Any;
  done?: boolean;
  error?: { code?: number; message?: string; details?: Any[] };
  response?: Any;
}

class GrpcClient {
  readonly channel: Client;
  readonly operations: Client;

  constructor(emu: ChannelEmulator) {
    const target = `${emu.grpcAddress.host}:${emu.grpcAddress.port}`;
    this.channel = new packages.google.cloud.channel.v1.CloudChannelService(
      target,
      credentials.createInsecure(),
    );
    this.operations = new packages.google.longrunning.Operations(target, credentials.createInsecure());
  }

  call<T>(
    client: Client,
    method: string,
    request: object,
    metadata = new Metadata(),
    options: CallOptions = {},
  ) {
    return new Promise<Reply<T>>((resolve) => {
      const fn = (client as unknown as Record<string, Unary>)[method];
      if (!fn) throw new Error(`no method ${method}`);
      fn.call(client, request, metadata, options, (error, value) =>
        resolve(error ? { ok: false, error } : { ok: true, value: value as T }),
      );
    });
  }

  create(request: object, metadata?: Metadata, options?: CallOptions) {
    return this.call<OperationObject>(this.channel, 'CreateEntitlement', request, metadata, options);
  }
  getOperation(name: string) {
    return this.call<OperationObject>(this.operations, 'GetOperation', { name });
  }
  cancelOperation(name: string) {
    return this.call<object>(this.operations, 'CancelOperation', { name });
  }
  getEntitlement(name: string) {
    return this.call<Entitlement>(this.channel, 'GetEntitlement', { name });
  }

  close(): void {
    this.channel.close();
    this.operations.close();
  }
}

function createRequest(offer = STARTER, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { parent: PARENT, entitlement: { offer }, requestId: randomUUID(), ...extra };
}

function ok<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`expected OK, got ${reply.error.code} ${reply.error.details}`);
  return reply.value;
}

/** Asserts the call failed with `code` and an ErrorInfo (of `domain`, with `reason`); returns the status. */
function failed<T>(reply: Reply<T>, code: number, reason?: string, domain = DOMAIN): DecodedStatus {
  if (reply.ok) throw new Error(`expected code ${code}, got OK ${JSON.stringify(reply.value)}`);
  expect(reply.error.code).toBe(code);
  const status = statusOf(reply.error);
  expect(status.code).toBe(code);
  expect(status.message).toBe(reply.error.details);
  const info = detail(status, 'google.rpc.ErrorInfo');
  if (reason !== undefined) expect(info).toMatchObject({ reason, domain });
  return status;
}

/** Polls until the operation is done (at most `max` polls). */
async function pollDone(client: GrpcClient, name: string, max = 5): Promise<OperationObject> {
  for (let i = 0; i < max; i++) {
    const operation = ok(await client.getOperation(name));
    if (operation.done) return operation;
  }
  throw new Error(`operation ${name} not done after ${max} polls`);
}

// ---------------------------------------------------------------------------------------------
// REST client

interface RestAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & {
    error?: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
  };
}

async function rest(
  emu: ChannelEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RestAnswer> {
  const res = await fetch(`${emu.restUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) };
}

function restErrorInfo(answer: RestAnswer): Record<string, unknown> | undefined {
  return answer.body.error?.details?.find((d) => d['@type'] === ERROR_INFO_TYPE);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

let emu: ChannelEmulator;
let grpc: GrpcClient;
const extra: { emu: ChannelEmulator; client: GrpcClient }[] = [];

async function start(
  options?: ChannelEmulatorOptions,
): Promise<{ emu: ChannelEmulator; client: GrpcClient }> {
  const started = await startChannelEmulator(options);
  const entry = { emu: started, client: new GrpcClient(started) };
  extra.push(entry);
  return entry;
}

beforeEach(async () => {
  emu = await startChannelEmulator();
  grpc = new GrpcClient(emu);
});

afterEach(async () => {
  grpc.close();
  await emu.close();
  for (const { emu: other, client } of extra.splice(0)) {
    client.close();
    await other.close();
  }
});

// ---------------------------------------------------------------------------------------------

describe('types', () => {
  it('renders generated message types in proto3 JSON form', () => {
    expectTypeOf<JsonOf<Timestamp>>().toEqualTypeOf<string>();
    expectTypeOf<JsonOf<Duration | null>>().toEqualTypeOf<string>();
    expectTypeOf<JsonOf<Int64 | null>>().toEqualTypeOf<string>();
    expectTypeOf<JsonOf<string | null>>().toEqualTypeOf<string>();
    expectTypeOf<JsonOf<Any>>().toEqualTypeOf<{ '@type': string; [field: string]: unknown }>();
    expectTypeOf<ChannelEntitlementJson['createTime']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<JsonOf<Operation>['done']>().toEqualTypeOf<boolean | undefined>();
    expect(DEFAULT_CHANNEL_OFFERS.map((o) => o.name)).toEqual([STARTER, STANDARD, VAULT, GCP]);
    expect(DEFAULT_CHANNEL_CUSTOMERS).toEqual([
      { name: PARENT, domainVerified: true },
      { name: UNVERIFIED, domainVerified: false },
    ]);
  });
});

describe('CreateEntitlement over gRPC', () => {
  it('creates an operation that completes on the second poll with the entitlement', async () => {
    const parameters = [
      { name: 'num_units', value: { int64Value: '10' } },
      { name: 'display_name', value: { stringValue: 'Acme' } },
    ];
    const metadata = new Metadata();
    metadata.set('x-goog-request-params', `parent=${encodeURIComponent(PARENT)}`);
    metadata.set('authorization', 'Bearer anything');
    const request = createRequest(STARTER, {
      entitlement: { offer: STARTER, parameters, purchaseOrderId: 'PO-1' },
    });
    const created = ok(await grpc.create(request, metadata));

    expect(created.name).toMatch(OPERATION_NAME);
    expect(created.done).toBe(false);
    expect(created.response).toBeUndefined();
    expect(created.metadata?.type_url).toBe(METADATA_TYPE);
    expect(unpack(created.metadata).value).toEqual({ operationType: 'CREATE_ENTITLEMENT' });
    expect(emu.entitlements()).toEqual([]);

    const first = ok(await grpc.getOperation(created.name));
    expect(first.done).toBe(false);
    const second = ok(await grpc.getOperation(created.name));
    expect(second.done).toBe(true);
    expect(second.error).toBeUndefined();
    expect(second.response?.type_url).toBe(ENTITLEMENT_TYPE);
    const entitlement = unpack(second.response).value as Record<string, unknown> & { name: string };
    expect(entitlement).toMatchObject({
      offer: STARTER,
      provisioningState: 'ACTIVE',
      parameters,
      purchaseOrderId: 'PO-1',
      provisionedService: { productId: 'workspace', skuId: 'sku-workspace-business-starter' },
    });
    expect(entitlement.name).toMatch(new RegExp(`^${PARENT}/entitlements/[A-Za-z0-9]+$`));
    expect(entitlement.createTime).toEqual(entitlement.updateTime);
    expect((entitlement.provisionedService as { provisioningId: string }).provisioningId).toMatch(/^\d+$/);
    expect(entitlement.suspensionReasons).toBeUndefined(); // empty on the wire

    const [stored] = emu.entitlements();
    expect(emu.entitlements()).toHaveLength(1);
    expect(stored).toMatchObject({
      name: entitlement.name,
      offer: STARTER,
      provisioningState: 'ACTIVE',
      parameters: [
        { name: 'num_units', value: { int64Value: '10' } },
        { name: 'display_name', value: { stringValue: 'Acme' } },
      ],
    });
    expect(stored?.createTime).toMatch(RFC3339);

    expect(emu.operations()).toEqual([
      {
        name: created.name,
        requestId: request.requestId,
        parent: PARENT,
        offer: STARTER,
        done: true,
        cancelled: false,
        polls: 2,
        entitlementName: entitlement.name,
      },
    ]);
    const calls = emu.calls;
    expect(calls.map((c) => [c.transport, c.method, c.code, c.operationName])).toEqual([
      ['grpc', 'CreateEntitlement', 0, created.name],
      ['grpc', 'GetOperation', 0, created.name],
      ['grpc', 'GetOperation', 0, created.name],
    ]);
    expect(calls[0]).toMatchObject({
      requestId: request.requestId,
      routingHeader: `parent=${encodeURIComponent(PARENT)}`,
    });
    expect(calls[1]?.routingHeader).toBeUndefined();
    expect(calls[0]?.time).toMatch(RFC3339);
  });

  it.each([
    ['a malformed parent', { parent: 'accounts/C0000001/S0000001' }, 'parent', 'INVALID_PARENT'],
    ['a missing parent', { parent: '' }, 'parent', 'INVALID_PARENT'],
    ['a missing entitlement', { entitlement: undefined }, 'entitlement', 'MISSING_ENTITLEMENT'],
    [
      'a malformed offer',
      { entitlement: { offer: 'offers/OFFER-GCP' } },
      'entitlement.offer',
      'INVALID_OFFER',
    ],
    ['a request_id that is not a UUID', { requestId: 'retry-1' }, 'request_id', 'INVALID_REQUEST_ID'],
    [
      'the zero UUID as request_id',
      { requestId: '00000000-0000-0000-0000-000000000000' },
      'request_id',
      'INVALID_REQUEST_ID',
    ],
  ])('refuses %s with INVALID_ARGUMENT, ErrorInfo and BadRequest', async (_, override, field, reason) => {
    const status = failed(await grpc.create(createRequest(GCP, override)), Status.INVALID_ARGUMENT, reason);
    expect(detail(status, 'google.rpc.BadRequest')).toMatchObject({ fieldViolations: [{ field }] });
    expect(emu.operations()).toEqual([]);
  });

  it('answers NOT_FOUND for an unknown customer or offer', async () => {
    const customer = failed(
      await grpc.create(createRequest(GCP, { parent: 'accounts/C0000001/customers/NOPE' })),
      Status.NOT_FOUND,
      'CUSTOMER_NOT_FOUND',
    );
    expect(customer.message).toContain('accounts/C0000001/customers/NOPE');
    failed(
      await grpc.create(createRequest('accounts/C0000001/offers/NOPE')),
      Status.NOT_FOUND,
      'OFFER_NOT_FOUND',
    );
    // Another account's offer does not exist for this reseller.
    failed(
      await grpc.create(createRequest('accounts/C0000002/offers/OFFER-GCP')),
      Status.NOT_FOUND,
      'OFFER_NOT_FOUND',
    );
    expect(emu.operations()).toEqual([]);
  });

  it('dedupes on request_id per parent: the same operation, one operation, one entitlement', async () => {
    const { emu: two, client } = await start({
      customers: [{ name: PARENT }, { name: 'accounts/C0000001/customers/S0000003' }],
    });
    const request = createRequest(GCP);
    const first = ok(await client.create(request));
    const again = ok(await client.create(request));
    expect(again).toEqual(first);
    // The id compares as a UUID, case-insensitively.
    const upper = ok(await client.create({ ...request, requestId: String(request.requestId).toUpperCase() }));
    expect(upper.name).toBe(first.name);
    expect(two.operations()).toHaveLength(1);

    const done = await pollDone(client, first.name);
    const afterDone = ok(await client.create(request));
    expect(afterDone).toEqual(done);
    expect(two.operations()).toHaveLength(1);
    expect(two.entitlements()).toHaveLength(1);

    // The same request_id under another parent is another request.
    const other = ok(await client.create({ ...request, parent: 'accounts/C0000001/customers/S0000003' }));
    expect(other.name).not.toBe(first.name);
    expect(two.operations()).toHaveLength(2);
  });

  it('answers ALREADY_EXISTS for a SKU purchased or being purchased', async () => {
    const created = ok(await grpc.create(createRequest(STARTER)));
    const whileRunning = failed(
      await grpc.create(createRequest(STARTER)),
      Status.ALREADY_EXISTS,
      'SKU_ALREADY_PURCHASED',
    );
    expect(whileRunning.message).toContain('The SKU was already purchased for the customer');
    await pollDone(grpc, created.name);
    const afterwards = failed(
      await grpc.create(createRequest(STARTER, { requestId: undefined })),
      Status.ALREADY_EXISTS,
      'SKU_ALREADY_PURCHASED',
    );
    expect(detail(afterwards, 'google.rpc.ErrorInfo')).toMatchObject({
      metadata: { sku: 'sku-workspace-business-starter', resource: emu.entitlements()[0]?.name },
    });
    expect(emu.operations()).toHaveLength(1);
  });

  it('answers INVALID_ARGUMENT for another SKU of the same product family', async () => {
    await pollDone(grpc, ok(await grpc.create(createRequest(STARTER))).name);
    const status = failed(
      await grpc.create(createRequest(STANDARD)),
      Status.INVALID_ARGUMENT,
      'SAME_PRODUCT_FAMILY',
    );
    expect(status.message).toContain(
      'There is already a customer entitlement for a SKU from the same product family',
    );
    // Another family is fine.
    ok(await grpc.create(createRequest(GCP)));
  });

  it('answers FAILED_PRECONDITION for an unverified domain', async () => {
    const status = failed(
      await grpc.create(createRequest(GCP, { parent: UNVERIFIED })),
      Status.FAILED_PRECONDITION,
      'DOMAIN_NOT_VERIFIED',
    );
    expect(status.message).toMatch(/domain .*not been verified/);
    expect(detail(status, 'google.rpc.PreconditionFailure')).toMatchObject({
      violations: [{ type: 'DOMAIN_VERIFICATION', subject: UNVERIFIED }],
    });
    expect(emu.operations()).toEqual([]);
  });

  it('answers FAILED_PRECONDITION for a missing prerequisite SKU, and accepts the add-on once it is held', async () => {
    const status = failed(
      await grpc.create(createRequest(VAULT)),
      Status.FAILED_PRECONDITION,
      'PREREQUISITE_SKU_MISSING',
    );
    expect(detail(status, 'google.rpc.ErrorInfo')).toMatchObject({
      metadata: { sku: 'sku-vault', requiredSku: 'sku-workspace-business-starter' },
    });
    const starter = ok(await grpc.create(createRequest(STARTER)));
    // Still running: the customer does not hold it yet.
    failed(await grpc.create(createRequest(VAULT)), Status.FAILED_PRECONDITION, 'PREREQUISITE_SKU_MISSING');
    await pollDone(grpc, starter.name);
    const vault = ok(await grpc.create(createRequest(VAULT)));
    expect(vault.done).toBe(false);
  });

  it('lets a custom catalogue decide customers, offers and families', async () => {
    const { emu: custom, client } = await start({
      customers: [{ name: 'accounts/A1/customers/X' }],
      offers: [{ name: 'accounts/A1/offers/ONE', sku: 'one' }],
      completion: { afterPolls: 1 },
    });
    await pollDone(
      client,
      ok(
        await client.create({
          parent: 'accounts/A1/customers/X',
          entitlement: { offer: 'accounts/A1/offers/ONE' },
        }),
      ).name,
    );
    expect(custom.entitlements()[0]).toMatchObject({
      provisionedService: { productId: 'one', skuId: 'one' },
    });
    failed(await client.create(createRequest(GCP)), Status.NOT_FOUND, 'CUSTOMER_NOT_FOUND');
  });
});

describe('Operations over gRPC', () => {
  it('GetOperation of an unknown operation is NOT_FOUND', async () => {
    failed(await grpc.getOperation('operations/nope'), Status.NOT_FOUND, 'OPERATION_NOT_FOUND');
    failed(await grpc.getOperation(''), Status.INVALID_ARGUMENT);
  });

  it('CancelOperation ends a running operation with CANCELLED and no entitlement', async () => {
    const created = ok(await grpc.create(createRequest(STARTER)));
    expect(ok(await grpc.cancelOperation(created.name))).toEqual({});
    const read = ok(await grpc.getOperation(created.name));
    expect(read.done).toBe(true);
    expect(read.response).toBeUndefined();
    expect(read.error).toMatchObject({ code: Status.CANCELLED });
    expect(emu.operations()[0]).toMatchObject({ done: true, cancelled: true, error: { code: 1 } });
    expect(emu.entitlements()).toEqual([]);
    // Still done, still cancelled, however often it is polled; the SKU can be bought again.
    expect(ok(await grpc.getOperation(created.name)).error).toMatchObject({ code: Status.CANCELLED });
    ok(await grpc.create(createRequest(STARTER)));
  });

  it('CancelOperation leaves a done operation as it is, and is NOT_FOUND for an unknown one', async () => {
    const done = await pollDone(grpc, ok(await grpc.create(createRequest(GCP))).name);
    expect(ok(await grpc.cancelOperation(done.name))).toEqual({});
    expect(ok(await grpc.getOperation(done.name))).toEqual(done);
    expect(emu.operations()[0]).toMatchObject({ cancelled: false, done: true });
    expect(emu.entitlements()).toHaveLength(1);
    failed(await grpc.cancelOperation('operations/nope'), Status.NOT_FOUND, 'OPERATION_NOT_FOUND');
  });

  it('answers UNIMPLEMENTED for the Operations methods it does not emulate', async () => {
    const reply = await grpc.call(grpc.operations, 'ListOperations', { name: 'operations' });
    expect(reply.ok ? 0 : reply.error.code).toBe(Status.UNIMPLEMENTED);
  });
});

describe('GetEntitlement over gRPC', () => {
  it('reads a created entitlement; unknown is NOT_FOUND, malformed is INVALID_ARGUMENT', async () => {
    const done = await pollDone(grpc, ok(await grpc.create(createRequest(GCP))).name);
    const created = unpack(done.response).value as { name: string };
    const read = ok(await grpc.getEntitlement(created.name));
    expect(read).toEqual(created);
    failed(
      await grpc.getEntitlement(`${PARENT}/entitlements/nope`),
      Status.NOT_FOUND,
      'ENTITLEMENT_NOT_FOUND',
    );
    failed(await grpc.getEntitlement('entitlements/nope'), Status.INVALID_ARGUMENT, 'INVALID_NAME');
    expect(emu.calls.map((c) => [c.method, c.code])).toContainEqual(['GetEntitlement', Status.NOT_FOUND]);
  });
});

describe('completion', () => {
  it('completes on the Nth poll', async () => {
    const { client } = await start({ completion: { afterPolls: 3 } });
    const created = ok(await client.create(createRequest(GCP)));
    expect(ok(await client.getOperation(created.name)).done).toBe(false);
    expect(ok(await client.getOperation(created.name)).done).toBe(false);
    expect(ok(await client.getOperation(created.name)).done).toBe(true);
  });

  it('afterPolls: 0 completes at creation', async () => {
    const { emu: instant, client } = await start({ completion: { afterPolls: 0 } });
    const created = ok(await client.create(createRequest(GCP)));
    expect(created.done).toBe(true);
    expect(unpack(created.response).typeName).toBe('google.cloud.channel.v1.Entitlement');
    expect(instant.operations()[0]?.polls).toBe(0);
  });

  it('completes once afterMs have passed on its clock, polled or not', async () => {
    const clock = createManualClock();
    const { emu: timed, client } = await start({ completion: { afterMs: 300 }, clock });
    const created = ok(await client.create(createRequest(GCP)));
    for (let i = 0; i < 3; i++) expect(ok(await client.getOperation(created.name)).done).toBe(false);
    clock.advance(299);
    expect(ok(await client.getOperation(created.name)).done).toBe(false);
    expect(timed.entitlements()).toEqual([]);
    clock.advance(1);
    expect(timed.operations()[0]?.done).toBe(true);
    expect(timed.entitlements()).toHaveLength(1);
    const read = ok(await client.getOperation(created.name));
    expect(read.done).toBe(true);
    expect(unpack(read.response).value).toMatchObject({ offer: GCP });
  });

  it('with both, whichever comes first', async () => {
    const { client } = await start({ completion: { afterPolls: 1, afterMs: 60_000 } });
    const created = ok(await client.create(createRequest(GCP)));
    expect(ok(await client.getOperation(created.name)).done).toBe(true);
  });

  it('with neither, never completes', async () => {
    const { client } = await start({ completion: {} });
    const created = ok(await client.create(createRequest(GCP)));
    for (let i = 0; i < 5; i++) expect(ok(await client.getOperation(created.name)).done).toBe(false);
  });
});

describe('faults', () => {
  it('fail-operation: the next operation finishes with the Status and an ErrorInfo; the create succeeds', async () => {
    emu.inject({
      type: 'fail-operation',
      code: Status.INTERNAL,
      message: 'backend exploded',
      reason: 'BACKEND_ERROR',
    });
    const created = ok(await grpc.create(createRequest(GCP)));
    expect(created.done).toBe(false);
    const done = await pollDone(grpc, created.name);
    expect(done.response).toBeUndefined();
    expect(done.error).toMatchObject({ code: Status.INTERNAL, message: 'backend exploded' });
    expect(done.error?.details?.map(unpack)).toEqual([
      { typeName: 'google.rpc.ErrorInfo', value: { reason: 'BACKEND_ERROR', domain: DOMAIN } },
    ]);
    expect(emu.entitlements()).toEqual([]);
    expect(emu.operations()[0]?.error).toEqual({ code: Status.INTERNAL, message: 'backend exploded' });
    // Only the next one: the failed purchase blocks nothing, and the next operation succeeds.
    const next = await pollDone(grpc, ok(await grpc.create(createRequest(GCP))).name);
    expect(next.error).toBeUndefined();
    expect(emu.entitlements()).toHaveLength(1);
  });

  it('fail-operation without a reason uses the code name', async () => {
    emu.inject({ type: 'fail-operation', code: Status.FAILED_PRECONDITION, message: 'no' });
    const done = await pollDone(grpc, ok(await grpc.create(createRequest(GCP))).name);
    expect(unpack(done.error?.details?.[0]).value).toMatchObject({ reason: 'FAILED_PRECONDITION' });
  });

  it('drop-after-create: UNAVAILABLE, one stored operation, and a retry with the request_id finds it', async () => {
    emu.inject({ type: 'drop-after-create' });
    const request = createRequest(GCP);
    failed(await grpc.create(request), Status.UNAVAILABLE);
    const stored = emu.operations();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ requestId: request.requestId, done: false });

    const retried = ok(await grpc.create(request));
    expect(retried.name).toBe(stored[0]?.name);
    expect(emu.operations()).toHaveLength(1);
    expect(emu.calls.map((c) => [c.code, c.fault, c.operationName])).toEqual([
      [Status.UNAVAILABLE, 'drop-after-create', stored[0]?.name],
      [0, undefined, stored[0]?.name],
    ]);
    // A retry WITHOUT the request id would be a second purchase: here, ALREADY_EXISTS.
    failed(await grpc.create({ ...request, requestId: undefined }), Status.ALREADY_EXISTS);
  });

  it('unavailable: answers UNAVAILABLE without processing, for the matching method and times', async () => {
    emu.inject({ type: 'unavailable', method: 'GetOperation', times: 2 });
    expect(emu.pendingFaults).toEqual([
      { fault: { type: 'unavailable', method: 'GetOperation', times: 2 }, remaining: 2 },
    ]);
    const created = ok(await grpc.create(createRequest(GCP)));
    failed(await grpc.getOperation(created.name), Status.UNAVAILABLE, 'SERVICE_UNAVAILABLE');
    failed(await grpc.getOperation(created.name), Status.UNAVAILABLE);
    expect(emu.operations()[0]?.polls).toBe(0);
    expect(emu.pendingFaults).toEqual([]);
    expect(ok(await grpc.getOperation(created.name)).done).toBe(false);
    expect(emu.operations()[0]?.polls).toBe(1);

    emu.inject({ type: 'unavailable' });
    failed(await grpc.create(createRequest(STARTER)), Status.UNAVAILABLE);
    expect(emu.operations()).toHaveLength(1);
  });

  it('faults can target one transport', async () => {
    emu.inject({ type: 'unavailable', transport: 'rest' });
    ok(await grpc.create(createRequest(GCP)));
    const answer = await rest(emu, 'GET', `/v1/${emu.operations()[0]?.name}`);
    expect(answer.status).toBe(503);
    expect(answer.body.error?.status).toBe('UNAVAILABLE');
  });

  it('latency: holds the answer until its clock has moved on, and a client deadline does not stop the create', async () => {
    const clock = createManualClock();
    const { emu: slow, client } = await start({ clock });
    slow.inject({ type: 'latency', ms: 200 });
    let answered = false;
    const pending = client.create(createRequest(GCP)).then((reply) => {
      answered = true;
      return reply;
    });
    await clock.whenSleeping(1);
    clock.advance(199);
    expect(answered).toBe(false);
    expect(slow.calls).toEqual([]);
    clock.advance(1);
    ok(await pending);
    expect(slow.calls).toMatchObject([{ fault: 'latency', code: 0 }]);

    slow.inject({ type: 'latency', ms: 200, method: 'CreateEntitlement' });
    const request = createRequest(STARTER);
    const late = client.create(request, new Metadata(), { deadline: Date.now() + 50 });
    await clock.whenSleeping(1);
    // The client gives up (its own deadline) while the emulator holds the call.
    const reply = await late;
    expect(reply.ok ? 0 : reply.error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(slow.operations().map((o) => o.requestId)).not.toContain(request.requestId);
    clock.advance(200);
    const calls = await slow.waitForCalls(2);
    expect(calls.at(-1)).toMatchObject({ fault: 'latency', code: 0, requestId: request.requestId });
    expect(slow.operations().map((o) => o.requestId)).toContain(request.requestId);
  });

  it('refuses invalid faults', () => {
    expect(() => emu.inject({ type: 'latency', ms: -1 })).toThrow(TypeError);
    expect(() => emu.inject({ type: 'fail-operation', code: 0, message: 'ok?' })).toThrow(TypeError);
    expect(() =>
      emu.inject({ type: 'drop-after-create', method: 'GetOperation' as 'CreateEntitlement' }),
    ).toThrow(TypeError);
    expect(() => emu.inject({ type: 'unavailable', times: 0 })).toThrow(TypeError);
    expect(() => emu.inject({ type: 'boom' } as never)).toThrow(TypeError);
    expect(emu.pendingFaults).toEqual([]);
  });
});

describe('options', () => {
  it('refuses invalid quotas and options', async () => {
    await expect(startChannelEmulator({ quota: { createPerMinute: 0 } })).rejects.toThrow(TypeError);
    await expect(startChannelEmulator({ grpcPort: 70_000 })).rejects.toThrow(TypeError);
    await expect(startChannelEmulator({ customers: [{ name: 'customers/X' }] })).rejects.toThrow(TypeError);
    await expect(
      startChannelEmulator({ offers: [{ name: 'accounts/A/offers/O', sku: '' }] }),
    ).rejects.toThrow(TypeError);
    await expect(startChannelEmulator({ completion: { afterPolls: -1 } })).rejects.toThrow(TypeError);
  });
});

describe('REST transport', () => {
  it('creates, polls and completes an operation in proto3 JSON', async () => {
    const requestId = randomUUID();
    const created = await rest(
      emu,
      'POST',
      `/v1/${PARENT}/entitlements`,
      {
        entitlement: { offer: GCP, parameters: [{ name: 'num_units', value: { int64Value: '5' } }] },
        requestId,
      },
      { 'x-goog-request-params': `parent=${encodeURIComponent(PARENT)}`, Authorization: 'Bearer ignored' },
    );
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({
      name: expect.stringMatching(OPERATION_NAME),
      metadata: { '@type': METADATA_TYPE, operationType: 'CREATE_ENTITLEMENT' },
      done: false,
    });
    const name = created.body.name as string;

    const first = await rest(emu, 'GET', `/v1/${name}`);
    expect(first.status).toBe(200);
    expect(first.body.done).toBe(false);
    const second = await rest(emu, 'GET', `/v1/${name}`);
    expect(second.body).toEqual({
      name,
      metadata: { '@type': METADATA_TYPE, operationType: 'CREATE_ENTITLEMENT' },
      done: true,
      response: {
        '@type': ENTITLEMENT_TYPE,
        name: expect.stringMatching(new RegExp(`^${PARENT}/entitlements/`)),
        createTime: expect.stringMatching(RFC3339),
        updateTime: expect.stringMatching(RFC3339),
        offer: GCP,
        provisioningState: 'ACTIVE',
        provisionedService: {
          provisioningId: expect.stringMatching(/^\d+$/),
          productId: 'gcp',
          skuId: 'sku-gcp',
        },
        parameters: [{ name: 'num_units', value: { int64Value: '5' } }],
      },
    });
    const { '@type': _, ...entitlement } = second.body.response as Record<string, unknown>;
    expect(emu.entitlements()).toEqual([entitlement]);

    const read = await rest(emu, 'GET', `/v1/${entitlement.name}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(entitlement);

    expect(emu.calls.map((c) => [c.transport, c.method, c.code])).toEqual([
      ['rest', 'CreateEntitlement', 0],
      ['rest', 'GetOperation', 0],
      ['rest', 'GetOperation', 0],
      ['rest', 'GetEntitlement', 0],
    ]);
    expect(emu.calls[0]).toMatchObject({ requestId, routingHeader: `parent=${encodeURIComponent(PARENT)}` });
  });

  it('renders enums as numbers for $alt=json;enum-encoding=int (as google-gax asks)', async () => {
    const created = await rest(emu, 'POST', `/v1/${PARENT}/entitlements?$alt=json%3Benum-encoding=int`, {
      entitlement: { offer: GCP },
    });
    expect(created.body.metadata).toEqual({ '@type': METADATA_TYPE, operationType: 1 });
  });

  it('dedupes on request_id (snake_case or camelCase) and shares state with gRPC', async () => {
    const requestId = randomUUID();
    const first = await rest(emu, 'POST', `/v1/${PARENT}/entitlements`, {
      entitlement: { offer: GCP },
      request_id: requestId,
    });
    const again = await rest(emu, 'POST', `/v1/${PARENT}/entitlements`, {
      entitlement: { offer: GCP },
      requestId,
    });
    expect(again.body).toEqual(first.body);
    expect(emu.operations()).toHaveLength(1);
    const viaGrpc = ok(await grpc.create(createRequest(GCP, { requestId })));
    expect(viaGrpc.name).toBe(first.body.name);
    expect(emu.operations()).toHaveLength(1);
  });

  it.each([
    ['ALREADY_EXISTS', 409, 'SKU_ALREADY_PURCHASED', PARENT, GCP, true],
    ['FAILED_PRECONDITION', 400, 'DOMAIN_NOT_VERIFIED', UNVERIFIED, GCP, false],
    ['NOT_FOUND', 404, 'CUSTOMER_NOT_FOUND', 'accounts/C0000001/customers/NOPE', GCP, false],
    ['INVALID_ARGUMENT', 400, 'INVALID_OFFER', PARENT, 'bad-offer', false],
  ])(
    'answers %s as HTTP %i with the error body and an ErrorInfo',
    async (status, http, reason, parent, offer, twice) => {
      if (twice) await rest(emu, 'POST', `/v1/${parent}/entitlements`, { entitlement: { offer } });
      const answer = await rest(emu, 'POST', `/v1/${parent}/entitlements`, { entitlement: { offer } });
      expect(answer.status).toBe(http);
      expect(answer.body).toEqual({
        error: { code: http, message: expect.any(String), status, details: expect.any(Array) },
      });
      expect(restErrorInfo(answer)).toMatchObject({ '@type': ERROR_INFO_TYPE, reason, domain: DOMAIN });
      expect(emu.calls.at(-1)).toMatchObject({
        transport: 'rest',
        method: 'CreateEntitlement',
        code: expect.any(Number),
      });
    },
  );

  it('refuses bodies that are not the request: bad JSON, unknown fields, wrong types', async () => {
    for (const body of [
      '{"entitlement":',
      '{"entitlement":{"offer":"x"},"foo":1}',
      '{"requestId":5}',
      '[]',
    ]) {
      const answer = await rest(emu, 'POST', `/v1/${PARENT}/entitlements`, body);
      expect(answer.status, body).toBe(400);
      expect(answer.body.error?.status).toBe('INVALID_ARGUMENT');
      expect(answer.body.error?.message).toMatch(/^Invalid JSON payload received\./);
      expect(answer.body.error?.details?.map((d) => d['@type'])).toContain(
        'type.googleapis.com/google.rpc.BadRequest',
      );
    }
    const unknownQuery = await rest(emu, 'GET', '/v1/operations/x?foo=1');
    expect(unknownQuery.status).toBe(400);
    expect(emu.operations()).toEqual([]);
    expect(emu.calls.map((c) => c.code)).toEqual([3, 3, 3, 3, 3]);
  });

  it('GetOperation: unknown is 404; CancelOperation: 200 {} and the operation ends CANCELLED', async () => {
    const missing = await rest(emu, 'GET', '/v1/operations/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(restErrorInfo(missing)).toMatchObject({ reason: 'OPERATION_NOT_FOUND' });

    const created = await rest(emu, 'POST', `/v1/${PARENT}/entitlements`, { entitlement: { offer: GCP } });
    const name = created.body.name as string;
    const cancelled = await rest(emu, 'POST', `/v1/${name}:cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({});
    const read = await rest(emu, 'GET', `/v1/${name}`);
    expect(read.body).toMatchObject({ done: true, error: { code: 1, message: expect.any(String) } });
    expect(read.body.response).toBeUndefined();
    expect((await rest(emu, 'POST', '/v1/operations/nope:cancel')).status).toBe(404);
  });

  it('answers 404 for unknown paths and 501 for Operations methods it does not emulate', async () => {
    const unknown = await rest(emu, 'GET', '/v2/whatever');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    const wrongMethod = await rest(emu, 'PUT', `/v1/${PARENT}/entitlements`, {});
    expect(wrongMethod.status).toBe(404);
    const del = await rest(emu, 'DELETE', '/v1/operations/x');
    expect(del.status).toBe(501);
    expect(del.body.error?.status).toBe('UNIMPLEMENTED');
    expect(emu.calls).toEqual([]);
  });

  it('drop-after-create over REST: 503, the operation is stored', async () => {
    emu.inject({ type: 'drop-after-create', transport: 'rest' });
    const requestId = randomUUID();
    const lost = await rest(emu, 'POST', `/v1/${PARENT}/entitlements`, {
      entitlement: { offer: GCP },
      requestId,
    });
    expect(lost.status).toBe(503);
    expect(lost.body.error?.status).toBe('UNAVAILABLE');
    expect(emu.operations()).toMatchObject([{ requestId, done: false }]);
  });
});

describe('reset and close', () => {
  it('reset forgets operations, entitlements, calls, faults and quota counts', async () => {
    const { emu: limited, client } = await start({
      quota: { createPerMinute: 1 },
      completion: { afterPolls: 0 },
    });
    const requestId = randomUUID();
    const first = ok(await client.create(createRequest(GCP, { requestId })));
    limited.inject({ type: 'unavailable', times: 5 });
    expect(limited.operations()).toHaveLength(1);
    expect(limited.entitlements()).toHaveLength(1);

    limited.reset();
    expect(limited.operations()).toEqual([]);
    expect(limited.entitlements()).toEqual([]);
    expect(limited.calls).toEqual([]);
    expect(limited.pendingFaults).toEqual([]);
    // The quota window, the SKU and the request id are free again.
    const again = ok(await client.create(createRequest(GCP, { requestId })));
    expect(again.name).not.toBe(first.name);
    failed(await client.getOperation(first.name), Status.NOT_FOUND);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(emu.grpcAddress.host).toBe('127.0.0.1');
    expect(emu.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i): i is NetworkInterfaceInfo => i !== undefined && !i.internal && i.family === 'IPv4');
    if (external) {
      const restPort = Number(new URL(emu.restUrl).port);
      for (const port of [emu.grpcAddress.port, restPort])
        expect(await connects(external.address, port), `${external.address}:${port}`).toBe(false);
    }
    expect(await connects('127.0.0.1', emu.grpcAddress.port)).toBe(true);
  });

  it('close() leaves nothing listening, ends calls in progress, and is idempotent', async () => {
    const clock = createManualClock();
    const { emu: closing, client } = await start({ grpcPort: 0, restPort: 0, clock });
    const restPort = Number(new URL(closing.restUrl).port);
    closing.inject({ type: 'latency', ms: 300, times: 2 });
    const pendingGrpc = client.create(createRequest(GCP));
    const pendingRest = fetch(`${closing.restUrl}/v1/${PARENT}/entitlements`, {
      method: 'POST',
      body: JSON.stringify({ entitlement: { offer: STARTER } }),
    }).then(
      (res) => res.status,
      () => 'network error',
    );
    // Both calls are held by their latency fault.
    await clock.whenSleeping(2);

    await closing.close();
    await closing.close();
    const grpcReply = await pendingGrpc;
    expect(grpcReply.ok).toBe(false);
    expect(await pendingRest).toBe('network error');
    // The held calls were dropped, not processed, and stay so once their latency has passed.
    expect(clock.sleeping).toBe(0);
    clock.advance(350);
    expect(closing.operations()).toEqual([]);
    expect(closing.calls).toEqual([]);
    expect(await connects('127.0.0.1', closing.grpcAddress.port)).toBe(false);
    expect(await connects('127.0.0.1', restPort)).toBe(false);
  });

  it('close() ends within a bound while raw TCP clients that never started HTTP are connected', async () => {
    const { emu: closing } = await start();
    const restPort = Number(new URL(closing.restUrl).port);
    const raw = await Promise.all([
      // Never sends a byte: the HTTP/2 session the server started never gets a preface.
      openSocket('127.0.0.1', closing.grpcAddress.port, { untilData: true }),
      // An HTTP/1.1 request at the gRPC port (what the REST transport sends there).
      openSocket('127.0.0.1', closing.grpcAddress.port, {
        data: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
        untilData: true,
      }),
      // Connected to the REST port and silent.
      openSocket('127.0.0.1', restPort),
    ]);
    // A bound well under the emulator's own: close() must not wait for the clients.
    const outcome = await Promise.race([
      closing.close().then(() => 'closed' as const),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 1_500).unref()),
    ]);
    expect(outcome).toBe('closed');
    // Each connection was ended by the emulator: reading again sees the end.
    await Promise.all(
      raw.map((socket) => {
        const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.resume();
        return ended;
      }),
    );
    expect(raw.every((socket) => socket.destroyed)).toBe(true);
    expect(await connects('127.0.0.1', closing.grpcAddress.port)).toBe(false);
  });

  it('refuses a clock without now() and sleep()', async () => {
    await expect(startChannelEmulator({ clock: { now: () => 0 } as never })).rejects.toThrow(TypeError);
  });

  it('supports await using', async () => {
    let port = 0;
    {
      await using scoped = await startChannelEmulator();
      port = scoped.grpcAddress.port;
      expect(await connects('127.0.0.1', port)).toBe(true);
    }
    expect(await connects('127.0.0.1', port)).toBe(false);
  });
});

/**
 * A connected raw TCP socket that writes `data` (if any) and then reads nothing, like a stuck
 * client. With `untilData`, it resolves once the server has sent something (an HTTP/2 server
 * sends its SETTINGS at once), so the server holds the connection.
 */
function openSocket(
  host: string,
  port: number,
  options: { data?: string; untilData?: boolean } = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    onTestFinished(() => {
      socket.destroy();
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      if (options.data) socket.write(options.data);
      if (options.untilData) socket.once('readable', () => resolve(socket));
      else resolve(socket);
    });
  });
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
