/**
 * Property-based fuzzing of the public API with values nobody here wrote, through the facade and
 * through each adapter (Confluent; Cloud Channel over gRPC and REST), against the emulators.
 *
 * Properties, for every entry point (create, get, resume, poll, wait, cancel):
 *  (a) every call settles within a bound, with a result or an `EntitlementError`;
 *  (b) invalid input is `invalid-argument`, and the emulators' logs show zero requests for it;
 *  (c) no unhandled rejection and no uncaught exception in the process;
 *  (d) `JSON.stringify(error)` and `util.inspect(error)` never throw.
 * Plus, for Confluent, a differential one: what the adapter accepted and sent, the emulator (which
 * validates against the same spec) never refuses as malformed (HTTP 400).
 *
 * Fixed seed and a small run count by default; run it long with
 *   FUZZ_RUNS=2000 npm exec -- vitest run test/fuzz
 * and replay a failure with FUZZ_SEED=<seed> (fast-check prints the seed and the path).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EntitlementError,
  type EntitlementProvisioner,
  type ProvisioningOperation,
} from '../../src/core/index.ts';
import { createProvisioner, type Provisioner } from '../../src/provisioner.ts';
import {
  type ChannelEmulator,
  type ConfluentEmulator,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import { createConfluentProvisioner } from '../../src/vendors/confluent/index.ts';
import { createGoogleChannelProvisioner } from '../../src/vendors/google-channel/index.ts';
import { PLAN_IDS, PRODUCT_IDS } from '../support/confluent-spec.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** Every call must settle within this (generous: the machine may be loaded). */
const BOUND_MS = 15_000;
const ACCOUNT = 'accounts/C0000001';
const OFFERS = ['OFFER-GCP', 'OFFER-WORKSPACE-STARTER', 'OFFER-WORKSPACE-STANDARD', 'OFFER-VAULT'].map(
  (offer) => `${ACCOUNT}/offers/${offer}`,
);
const fast = {
  retry: { initialDelayMs: 1, maxDelayMs: 2 },
  polling: { initialDelayMs: 1, maxDelayMs: 5 },
  // A valid wait on an operation that never completes ends at its deadline: keep it short here.
  waitTimeoutMs: 3_000,
};

// biome-ignore lint/suspicious/noExplicitAny: the fuzzer calls every adapter with values of any type
type AnyAdapter = EntitlementProvisioner<string, any, any, any>;

let confluent: ConfluentEmulator;
let channel: ChannelEmulator;
let adapters: { name: string; vendor: string; adapter: AnyAdapter | Provisioner }[] = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  confluent = await startConfluentEmulator();
  channel = await startChannelEmulator({
    completion: { afterPolls: 1 },
    customers: Array.from({ length: 50 }, (_, i) => ({
      name: `${ACCOUNT}/customers/F${String(i).padStart(5, '0')}`,
    })),
  });
  const grpc = { apiEndpoint: '127.0.0.1', port: channel.grpcAddress.port, insecure: true, ...fast };
  const rest = { ...grpc, transport: 'rest' as const, port: Number(new URL(channel.restUrl).port) };
  const credentials = { type: 'bearer' as const, token: 'emulator-token' };
  const facade = createProvisioner({
    env: {},
    tracing: false,
    confluent: { baseUrl: confluent.url, credentials, ...fast },
    googleChannel: grpc,
  });
  adapters = [
    {
      name: 'confluent adapter',
      vendor: 'confluent',
      adapter: createConfluentProvisioner({ baseUrl: confluent.url, credentials, ...fast }),
    },
    {
      name: 'channel adapter (grpc)',
      vendor: 'google-channel',
      adapter: createGoogleChannelProvisioner(grpc),
    },
    {
      name: 'channel adapter (rest)',
      vendor: 'google-channel',
      adapter: createGoogleChannelProvisioner(rest),
    },
    { name: 'facade (confluent)', vendor: 'confluent', adapter: facade },
    { name: 'facade (google-channel)', vendor: 'google-channel', adapter: facade },
  ];
});

afterAll(async () => {
  for (const { adapter } of adapters) await adapter.close();
  await confluent?.close();
  await channel?.close();
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  // (c): nothing escaped as an unhandled rejection or an uncaught exception.
  expect(crashes).toEqual([]);
});

const requestCount = () => confluent.requests.length + channel.calls.length;

type Outcome = { ok: true; value: unknown } | { ok: false; error: EntitlementError };

/** (a) and (d): the call settles in time, with a value or an EntitlementError that serialises. */
async function settle(call: () => Promise<unknown>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return { ok: true, value: await Promise.race([Promise.resolve().then(call), bound]) };
  } catch (error) {
    if (!EntitlementError.isInstance(error)) throw new Error(`not an EntitlementError: ${inspect(error)}`);
    expect(() => JSON.stringify(error)).not.toThrow();
    expect(() => inspect(error, { depth: 10 })).not.toThrow();
    expect(typeof error.message).toBe('string');
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** (b): an invalid-argument answer sent nothing. Confluent: nothing accepted is refused as malformed. */
async function check(call: () => Promise<unknown>, vendor: string): Promise<Outcome> {
  const before = requestCount();
  const outcome = await settle(call);
  if (!outcome.ok && outcome.error.kind === 'invalid-argument' && outcome.error.httpStatus === undefined) {
    expect(requestCount(), outcome.error.message).toBe(before);
  }
  if (!outcome.ok && vendor === 'confluent')
    expect(outcome.error.httpStatus, outcome.error.message).not.toBe(400);
  return outcome;
}

// ---- arbitraries --------------------------------------------------------------------------------

const oddString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\ud800',
    'a\udc00b',
    '\u0000',
    '..',
    '/',
    'a/b',
    '%2F',
    '\u202e',
    '🦄',
    'x'.repeat(5_000),
  ),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    maxLength: 12,
  }),
);
const weird: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withSparseArray: true,
  }),
  fc.constantFrom(
    null,
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    2 ** 31,
    1e21,
    10n,
    () => 1,
    new Date(0),
    [],
    {},
    new Map(),
  ),
  oddString,
);
/** A plausible value half the time, something odd the other half. */
const maybe = <T>(plausible: fc.Arbitrary<T>) => fc.oneof(plausible, weird);

const signal = fc.oneof(
  fc.constant(undefined),
  fc.constant(AbortSignal.abort(new Error('fuzz'))),
  fc.constant(new AbortController().signal),
  weird,
);
const callOptions = fc.oneof(
  fc.constant(undefined),
  weird,
  fc.record(
    {
      signal,
      timeoutMs: maybe(
        fc.oneof(fc.integer({ min: 2_000, max: 60_000 }), fc.constantFrom(0, -1, 2 ** 31, 1e12, '5000')),
      ),
      headers: maybe(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom('x-trace', 'X-Custom', 'a b', '', 'authorization', 'x-bin', 'grpc-x'),
            oddString,
          ),
          maybe(fc.string({ maxLength: 20 })),
          { maxKeys: 3 },
        ),
      ),
      idempotencyKey: maybe(fc.string({ minLength: 1, maxLength: 40 })),
      maxRetries: maybe(fc.integer({ min: -2, max: 3 })),
      timeout: weird,
    },
    { requiredKeys: [] },
  ),
);
const waitOptions = fc.oneof(
  fc.constant(undefined),
  weird,
  fc.record(
    {
      signal,
      timeoutMs: maybe(
        fc.oneof(fc.integer({ min: 500, max: 3_000 }), fc.constantFrom(0, -5, 366 * 86_400_000, '1000')),
      ),
      polling: maybe(
        fc.record(
          {
            initialDelayMs: maybe(fc.integer({ min: 0, max: 20 })),
            multiplier: maybe(fc.constantFrom(1, 1.5, 0.5, 0)),
            maxDelayMs: maybe(fc.integer({ min: 0, max: 20 })),
          },
          { requiredKeys: [] },
        ),
      ),
      onProgress: maybe(fc.constant(() => undefined)),
      pollOptions: maybe(
        fc.record(
          { timeoutMs: maybe(fc.constantFrom(5_000, 0)), headers: maybe(fc.constant({ 'x-a': '1' })) },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

let sequence = 0;
const confluentBody = () => ({
  external_id: `fuzz-${process.pid}-${++sequence}`,
  name: `Fuzz ${sequence}`,
  plan_id: PLAN_IDS[sequence % PLAN_IDS.length],
  product_id: PRODUCT_IDS[sequence % PRODUCT_IDS.length],
});
/** A valid body with some fields replaced by anything, some added, or the whole thing odd. */
const confluentRequest = fc.oneof(
  weird,
  fc.record({ vendor: maybe(fc.constant('confluent')), entitlement: weird }, { requiredKeys: [] }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'external_id',
          'name',
          'plan_id',
          'product_id',
          'organization',
          'usage_reporting_id',
          'resource_id',
          'extra',
          'id',
        ),
        weird,
      ),
      { maxLength: 3 },
    )
    .map((patches) => ({
      vendor: 'confluent',
      entitlement: { ...confluentBody(), ...Object.fromEntries(patches) },
    })),
  fc.constant(null).map(() => ({ vendor: 'confluent', entitlement: confluentBody() })),
);
const customer = fc
  .integer({ min: 0, max: 49 })
  .map((i) => `${ACCOUNT}/customers/F${String(i).padStart(5, '0')}`);
const channelValue = fc.oneof(
  weird,
  fc.record({
    int64Value: maybe(
      fc.oneof(
        fc.constantFrom('10', '-1', '9223372036854775808', 'abc', '1e3'),
        fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
        fc.integer(),
      ),
    ),
  }),
  fc.record({ boolValue: maybe(fc.boolean()) }),
  fc.record({ doubleValue: maybe(fc.double()) }),
  fc.record({ stringValue: maybe(fc.string({ maxLength: 10 })) }),
  fc.record({ boolValue: fc.boolean(), stringValue: fc.string() }),
);
const channelRequest = fc.oneof(
  weird,
  fc.record(
    {
      vendor: maybe(fc.constant('google-channel')),
      parent: maybe(customer),
      entitlement: maybe(
        fc.record(
          {
            offer: maybe(fc.constantFrom(...OFFERS)),
            parameters: maybe(
              fc.array(
                fc.record(
                  {
                    name: maybe(fc.constantFrom('num_units', 'auto_renew', 'max_units')),
                    value: channelValue,
                  },
                  { requiredKeys: [] },
                ),
                { maxLength: 3 },
              ),
            ),
            purchaseOrderId: weird,
            extra: weird,
          },
          { requiredKeys: ['offer'] },
        ),
      ),
      externalCorrelationId: maybe(fc.string({ maxLength: 10 })),
    },
    { requiredKeys: ['vendor', 'parent', 'entitlement'] },
  ),
);
const requestFor = (vendor: string) => (vendor === 'confluent' ? confluentRequest : channelRequest);

const confluentRef = fc.record(
  {
    vendor: maybe(fc.constant('confluent')),
    id: maybe(fc.constantFrom('ent-00000000', 'ent-missing')),
    organizationId: weird,
  },
  { requiredKeys: ['vendor'] },
);
const channelRef = fc.record(
  {
    vendor: maybe(fc.constant('google-channel')),
    name: maybe(fc.constantFrom(`${ACCOUNT}/customers/F00000/entitlements/E1`, 'accounts/x')),
  },
  { requiredKeys: ['vendor'] },
);
const refFor = (vendor: string): fc.Arbitrary<unknown> =>
  fc.oneof(weird, vendor === 'confluent' ? confluentRef : channelRef);

/** Ways to spoil a token: truncate it, flip a character, re-encode odd payloads, another vendor's. */
function tokenFrom(valid: string) {
  const encode = (payload: unknown) => {
    let json: string | undefined;
    try {
      json = JSON.stringify(payload);
    } catch {
      json = '{"vendor":'; // what JSON cannot carry becomes a damaged token
    }
    return `ep1.${Buffer.from(json ?? 'null', 'utf8').toString('base64url')}`;
  };
  const payload = JSON.parse(Buffer.from(valid.slice(4), 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  return fc.oneof(
    fc.constant(valid),
    weird,
    fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
    fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    fc
      .tuple(fc.constantFrom(...Object.keys(payload)), weird)
      .map(([key, value]) => encode({ ...payload, [key]: value })),
    fc.constantFrom(
      encode({ vendor: 'acme', id: 'x' }),
      encode({
        vendor: payload.vendor === 'confluent' ? 'google-channel' : 'confluent',
        id: 'ent-1',
        operation: 'operations/x',
      }),
      encode(null),
      encode([1]),
      'ep1.\ud800',
    ),
  );
}

async function validOperation(entry: (typeof adapters)[number]): Promise<ProvisioningOperation> {
  const request =
    entry.vendor === 'confluent'
      ? { vendor: 'confluent', entitlement: confluentBody() }
      : {
          vendor: 'google-channel',
          parent: `${ACCOUNT}/customers/F${String(sequence++ % 50).padStart(5, '0')}`,
          entitlement: { offer: OFFERS[0] },
        };
  return entry.adapter.create(request as never, { idempotencyKey: undefined });
}

// ---- properties ---------------------------------------------------------------------------------

const params = (salt: number) => ({ seed: SEED + salt, numRuns: RUNS, endOnFailure: true });

describe('fuzz: the public API with values nobody here wrote', () => {
  it.each([0, 1, 2, 3, 4])('create with arbitrary requests and call options (entry %i)', async (index) => {
    const entry = adapters[index] as (typeof adapters)[number];
    await fc.assert(
      fc.asyncProperty(requestFor(entry.vendor), callOptions, async (request, options) => {
        await check(() => entry.adapter.create(request as never, options as never), entry.vendor);
      }),
      params(index),
    );
  });

  it.each([0, 1, 2, 3, 4])('get with arbitrary references and call options (entry %i)', async (index) => {
    const entry = adapters[index] as (typeof adapters)[number];
    await fc.assert(
      fc.asyncProperty(refFor(entry.vendor), callOptions, async (ref, options) => {
        await check(() => entry.adapter.get(ref as never, options as never), entry.vendor);
      }),
      params(10 + index),
    );
  });

  it.each([0, 1, 2, 3, 4])(
    'resume, poll, wait and cancel with spoilt tokens and arbitrary options (entry %i)',
    async (index) => {
      const entry = adapters[index] as (typeof adapters)[number];
      const valid = (await validOperation(entry)).token;
      await fc.assert(
        fc.asyncProperty(
          tokenFrom(valid),
          maybe(fc.record({ polling: maybe(fc.constant({ initialDelayMs: 1 })) }, { requiredKeys: [] })),
          callOptions,
          waitOptions,
          async (token, resumeOptions, options, wait) => {
            const resumed = await check(
              () => entry.adapter.resume(token as never, resumeOptions as never),
              entry.vendor,
            );
            if (!resumed.ok) return;
            const operation = resumed.value as ProvisioningOperation;
            await check(() => operation.poll(options as never), entry.vendor);
            await check(() => operation.wait(wait as never), entry.vendor);
            await check(() => operation.cancel(options as never), entry.vendor);
          },
        ),
        params(20 + index),
      );
    },
  );

  it('a valid create through every entry still works after the fuzzing (the fuzzer ran against live emulators)', async () => {
    for (const entry of adapters) {
      const operation = await validOperation(entry);
      expect(await operation.wait({ timeoutMs: 10_000 })).toMatchObject({ vendor: entry.vendor });
    }
  });
});
