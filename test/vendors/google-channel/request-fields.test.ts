/**
 * Property-based tests of the Cloud Channel request checker (fast-check, fixed seed). Each
 * property feeds arbitrary values into a field of a create request and asserts that the checker
 * either refuses them with `invalid-argument` naming that field, or returns a request that
 * protobufjs encodes and decodes back to exactly what the caller meant: no coercion.
 *
 * Run longer with `FC_NUM_RUNS=20000 npm exec -- vitest run test/vendors/google-channel/request-fields.test.ts`
 * (and `FC_SEED=<n>` to replay a reported failure).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import descriptor from '../../../generated/google/channel.json' with { type: 'json' };
import { PaymentPlan, PeriodType, TYPE_NAMES } from '../../../generated/google/channel.ts';
import { EntitlementError } from '../../../src/core/index.ts';
import { checkCreateRequest } from '../../../src/vendors/google-channel/validation.ts';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 300);
const SEED = Number(process.env.FC_SEED ?? 20_240_607);
const settings = { numRuns: NUM_RUNS, seed: SEED };

// protobufjs from the same descriptor the client sends with; independent of the checker's rules.
const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
root.resolveAll();
const CreateRequest = root.lookupType(TYPE_NAMES.CreateEntitlementRequest);
const OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
};

/** What a request means on the wire: encoded, decoded, rendered with defaults. */
function meaning(wire: object): Record<string, unknown> {
  const bytes = CreateRequest.encode(CreateRequest.fromObject(wire)).finish();
  return CreateRequest.toObject(CreateRequest.decode(bytes), OPTIONS);
}

const PARENT = 'accounts/C0000001/customers/S0000001';
const OFFER = 'accounts/C0000001/offers/OFFER-GCP';

function base(): Record<string, unknown> {
  return {
    vendor: 'google-channel',
    parent: PARENT,
    entitlement: {
      offer: OFFER,
      purchaseOrderId: 'PO-1',
      billingAccount: 'accounts/C0000001/billingAccounts/B1',
      priceReferenceId: 'price-1',
      associationInfo: { baseEntitlement: `${PARENT}/entitlements/E1` },
      commitmentSettings: {
        renewalSettings: {
          enableRenewal: true,
          resizeUnitCount: false,
          paymentPlan: 'COMMITMENT',
          paymentCycle: { duration: 1, periodType: 'YEAR' },
        },
      },
      parameters: [{ name: 'p', value: { stringValue: 'x' } }],
    },
  };
}

type Path = (string | number)[];

function setAt(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
}

function getAt(target: unknown, path: Path): unknown {
  let node = target;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

function dotted(path: Path): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`),
    '',
  );
}

/** The decoded value means what the caller gave, by the field's protobuf type. */
const SAME_MEANING: Record<string, (given: unknown, decoded: unknown) => boolean> = {
  string: (given, decoded) => typeof given === 'string' && decoded === given,
  bool: (given, decoded) => typeof given === 'boolean' && decoded === given,
  double: (given, decoded) => typeof given === 'number' && Object.is(decoded, given),
  int32: (given, decoded) => typeof given === 'number' && Number.isSafeInteger(given) && decoded === given,
  int64: (given, decoded) => {
    if (typeof given === 'bigint') return decoded === given.toString();
    if (typeof given === 'number') return Number.isSafeInteger(given) && decoded === String(given);
    if (typeof given === 'string') return decoded === given;
    // a protobufjs Long: the same 64 bits
    const { low, high, unsigned } = given as { low: number; high: number; unsigned: boolean };
    const bits = (BigInt(high) << 32n) | BigInt.asUintN(32, BigInt(low));
    return decoded === (unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits)).toString();
  },
  bytes: (given, decoded) =>
    (given instanceof Uint8Array && decoded === Buffer.from(given).toString('base64')) ||
    (typeof given === 'string' && decoded === given),
  PaymentPlan: (given, decoded) =>
    (typeof given === 'string' && decoded === given) ||
    (typeof given === 'number' && PaymentPlan[decoded as PaymentPlan] === given),
  PeriodType: (given, decoded) =>
    (typeof given === 'string' && decoded === given) ||
    (typeof given === 'number' && PeriodType[decoded as PeriodType] === given),
};

const RENEWAL: Path = ['entitlement', 'commitmentSettings', 'renewalSettings'];
const VALUE: Path = ['entitlement', 'parameters', 0, 'value'];
/** Every leaf field of the request, with its protobuf type. */
const POSITIONS: { path: Path; type: keyof typeof SAME_MEANING }[] = [
  { path: ['parent'], type: 'string' },
  { path: ['entitlement', 'offer'], type: 'string' },
  { path: ['entitlement', 'purchaseOrderId'], type: 'string' },
  { path: ['entitlement', 'billingAccount'], type: 'string' },
  { path: ['entitlement', 'priceReferenceId'], type: 'string' },
  { path: ['entitlement', 'associationInfo', 'baseEntitlement'], type: 'string' },
  { path: [...RENEWAL, 'enableRenewal'], type: 'bool' },
  { path: [...RENEWAL, 'resizeUnitCount'], type: 'bool' },
  { path: [...RENEWAL, 'paymentPlan'], type: 'PaymentPlan' },
  { path: [...RENEWAL, 'paymentCycle', 'duration'], type: 'int32' },
  { path: [...RENEWAL, 'paymentCycle', 'periodType'], type: 'PeriodType' },
  { path: ['entitlement', 'parameters', 0, 'name'], type: 'string' },
  { path: [...VALUE, 'int64Value'], type: 'int64' },
  { path: [...VALUE, 'stringValue'], type: 'string' },
  { path: [...VALUE, 'doubleValue'], type: 'double' },
  { path: [...VALUE, 'boolValue'], type: 'bool' },
  { path: [...VALUE, 'protoValue', 'type_url'], type: 'string' },
  { path: [...VALUE, 'protoValue', 'value'], type: 'bytes' },
];

/** UTF-16 code units, lone surrogates included. */
const utf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  maxLength: 12,
});

/** Values a careless or hostile caller might pass where a scalar goes. */
const hostile = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
    maxDepth: 2,
  }),
  fc.constantFrom(
    'false',
    'true',
    '0',
    '1',
    '-0',
    '007',
    ' 1',
    '1e3',
    '0x10',
    'abc',
    '',
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775809',
    '18446744073709551616',
    '\uD800',
    PARENT,
    `${PARENT}/entitlements/E2`,
    OFFER,
  ),
  fc.double(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(2 ** 53, 2 ** 63, -(2 ** 31) - 1, 2 ** 31, 1e300, -0),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  utf16,
  fc.record({ low: fc.integer(), high: fc.integer(), unsigned: fc.boolean() }),
  fc.constantFrom(...Object.keys(PaymentPlan), ...Object.keys(PeriodType)),
  // base64, canonical or not, and bytes
  fc.constantFrom('AA==', 'AB==', 'AAE=', 'AAF=', 'AAEC', 'A', '====', 'AA', '+/+/'),
  fc.uint8Array({ maxLength: 6 }),
  fc.base64String({ maxLength: 12 }),
);

/** The outcome of a check: the checked request, or the refusal. */
function attempt(request: unknown): { ok: true; value: object } | { ok: false; error: EntitlementError } {
  try {
    return { ok: true, value: checkCreateRequest(request) };
  } catch (error) {
    // Anything but an EntitlementError (a TypeError, a RangeError) fails the property here.
    expect(error).toBeInstanceOf(EntitlementError);
    return { ok: false, error: error as EntitlementError };
  }
}

/** The request the adapter sends for a checked request. */
const wireOf = (checked: object) => {
  const { externalCorrelationId: _, ...wire } = checked as Record<string, unknown>;
  return wire;
};

describe('the Cloud Channel request checker (property-based)', () => {
  it('the base request passes and means what it says (positive control)', () => {
    const checked = attempt(base());
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const { vendor: _, ...wire } = base();
    expect(meaning(wireOf(checked.value))).toEqual(meaning(wire));
  });

  it('a hostile value in any field is refused naming that field, or sent meaning exactly that value', () => {
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...POSITIONS), hostile, ({ path, type }, given) => {
        const request = base();
        const value = getAt(request, VALUE) as Record<string, unknown>;
        const kind = VALUE.every((key, index) => path[index] === key) ? path[VALUE.length] : undefined;
        if (kind !== undefined && kind !== 'stringValue') delete value.stringValue;
        if (kind === 'protoValue')
          value.protoValue = { type_url: 'type.googleapis.com/google.protobuf.Empty', value: 'AAE=' };
        setAt(request, path, given);
        const result = attempt(request);
        if (!result.ok) {
          refused++;
          expect(result.error.kind).toBe('invalid-argument');
          const fields = (result.error.details as { field: string }[]).map((detail) => detail.field);
          const field = dotted(path);
          // The field itself, something inside it, or (an unset Value kind) the oneof it belongs to.
          expect(
            fields.some(
              (name) => name === field || name.startsWith(`${field}.`) || name.startsWith(`${field}[`),
            ) || (given === null || given === undefined ? fields.length > 0 : false),
            `${field} in ${JSON.stringify(fields)}`,
          ).toBe(true);
          return;
        }
        accepted++;
        if (given === null || given === undefined) return; // unset: nothing to mean
        const decoded = getAt(meaning(wireOf(result.value)), path);
        expect(
          SAME_MEANING[type]?.(given, decoded),
          `${dotted(path)}: ${inspect(given)} -> ${inspect(decoded)}`,
        ).toBe(true);
      }),
      settings,
    );
    // Both branches were exercised: the property is not vacuous.
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  it('every valid representation is accepted and keeps its meaning (int64 as string, number, bigint or Long; enums by name or number)', () => {
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    const representation = int64.chain((value) =>
      fc.tuple(
        fc.constant(value),
        fc.oneof(
          fc.constant<unknown>(value),
          fc.constant<unknown>(value.toString()),
          ...(value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? [fc.constant<unknown>(Number(value))]
            : []),
          fc.constant<unknown>({
            low: Number(BigInt.asIntN(32, value)),
            high: Number(BigInt.asIntN(32, value >> 32n)),
            unsigned: false,
          }),
        ),
      ),
    );
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(
        representation,
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(...Object.entries(PaymentPlan)),
        fc.boolean(),
        fc.boolean(),
        ([value, given], name, double, [planName, planNumber], byNumber, flag) => {
          const request = base();
          const entitlement = request.entitlement as Record<string, unknown>;
          entitlement.parameters = [
            { name: 'n', value: { int64Value: given } },
            { name: 'd', value: { doubleValue: double } },
            { name: 'b', value: { boolValue: flag } },
            {
              name: name === '' || name === 'n' || name === 'd' || name === 'b' ? 's' : name,
              value: { stringValue: name },
            },
          ];
          setAt(request, [...RENEWAL, 'paymentPlan'], byNumber ? planNumber : planName);
          const result = attempt(request);
          expect(result.ok, result.ok ? '' : result.error.message).toBe(true);
          if (!result.ok) return;
          const decoded = meaning(wireOf(result.value)) as { entitlement: Record<string, unknown> };
          const parameters = decoded.entitlement.parameters as { value: Record<string, unknown> }[];
          expect(parameters[0]?.value.int64Value).toBe(value.toString());
          expect(Object.is(parameters[1]?.value.doubleValue, double)).toBe(true);
          expect(parameters[2]?.value.boolValue).toBe(flag);
          expect(parameters[3]?.value.stringValue).toBe(name);
          expect(getAt(decoded, [...RENEWAL, 'paymentPlan'])).toBe(planName);
          // The checked request is already in its wire form: int64 as the decimal string.
          expect(getAt(result.value, ['entitlement', 'parameters', 0, 'value', 'int64Value'])).toBe(
            value.toString(),
          );
        },
      ),
      settings,
    );
  });

  it('an unknown field anywhere is refused naming it (protobufjs would drop it)', () => {
    const messages: [Path, protobuf.Type][] = [
      [[], CreateRequest],
      [['entitlement'], root.lookupType(TYPE_NAMES.Entitlement)],
      [['entitlement', 'associationInfo'], root.lookupType(TYPE_NAMES.AssociationInfo)],
      [['entitlement', 'commitmentSettings'], root.lookupType(TYPE_NAMES.CommitmentSettings)],
      [RENEWAL, root.lookupType(TYPE_NAMES.RenewalSettings)],
      [[...RENEWAL, 'paymentCycle'], root.lookupType(TYPE_NAMES.Period)],
      [['entitlement', 'parameters', 0], root.lookupType(TYPE_NAMES.Parameter)],
      [VALUE, root.lookupType(TYPE_NAMES.Value)],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...messages),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.anything({ maxDepth: 1 }),
        ([path, type], key, value) => {
          const request = base();
          const target = path.length === 0 ? request : (getAt(request, path) as Record<string, unknown>);
          // Not a field of the message (by the descriptor), nor one of the library's own request fields.
          fc.pre(!Object.hasOwn(type.fields, key) && value !== undefined && value !== null);
          fc.pre(!(path.length === 0 && (key === 'vendor' || key === 'externalCorrelationId')));
          Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
          const result = attempt(request);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.kind).toBe('invalid-argument');
          const field = path.length === 0 ? key : `${dotted(path)}.${key}`;
          expect(result.error.details).toContainEqual(expect.objectContaining({ field }));
        },
      ),
      settings,
    );
  });

  it('any value at all as the whole request settles as a checked request or invalid-argument', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withNullPrototype: true, maxDepth: 3 }),
        (value) => {
          const result = attempt(value);
          if (!result.ok) expect(result.error.kind).toBe('invalid-argument');
          else expect(result.value).toHaveProperty('entitlement.offer');
          // The error serialises.
          if (!result.ok) expect(() => JSON.stringify(result.error)).not.toThrow();
        },
      ),
      settings,
    );
  });
});
