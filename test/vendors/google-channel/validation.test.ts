import { describe, expect, it } from 'vitest';
import { EntitlementError } from '../../../src/core/index.ts';
import {
  createGoogleChannelProvisioner,
  type GoogleChannelCreateRequest,
} from '../../../src/vendors/google-channel/index.ts';
import { MAX_STRING_BYTES } from '../../../src/vendors/google-channel/request-fields.ts';
import { checkCreateRequest } from '../../../src/vendors/google-channel/validation.ts';
import { env, OFFER_STARTER, VERIFIED } from './helpers.ts';

const request = (overrides: Partial<GoogleChannelCreateRequest> & Record<string, unknown>) =>
  ({
    vendor: 'google-channel',
    parent: VERIFIED,
    entitlement: { offer: OFFER_STARTER },
    ...overrides,
  }) as GoogleChannelCreateRequest;

describe('Cloud Channel bad input is refused before any call', () => {
  const cases: [string, GoogleChannelCreateRequest][] = [
    ['a malformed parent', request({ parent: 'customers/S1' })],
    ['a parent with a path escape', request({ parent: `${VERIFIED}/../S2` })],
    ['a malformed offer', request({ entitlement: { offer: 'offers/x' } })],
    ['no entitlement', request({ entitlement: undefined as never })],
    [
      'a parameter without a value',
      request({ entitlement: { offer: OFFER_STARTER, parameters: [{ name: 'num_units' }] } }),
    ],
    [
      'a parameter with two values',
      request({
        entitlement: {
          offer: OFFER_STARTER,
          parameters: [{ name: 'n', value: { int64Value: '1', stringValue: 'x' } }],
        },
      }),
    ],
    [
      'a parameter given twice',
      request({
        entitlement: {
          offer: OFFER_STARTER,
          parameters: [
            { name: 'n', value: { int64Value: '1' } },
            { name: 'n', value: { int64Value: '2' } },
          ],
        },
      }),
    ],
    ['another vendor', request({ vendor: 'confluent' as never })],
  ];
  for (const [label, bad] of cases) {
    it(`create with ${label}`, async () => {
      const { emulator, provisioner } = await env('grpc');
      await expect(provisioner.create(bad)).rejects.toMatchObject({
        kind: 'invalid-argument',
        vendor: 'google-channel',
      });
      expect(emulator.calls).toHaveLength(0);
    });
  }

  it('get and resume with malformed names', async () => {
    const { emulator, provisioner } = await env('grpc');
    for (const name of [
      '',
      'entitlements/x',
      `${VERIFIED}/entitlements/../x`,
      `${VERIFIED}/entitlements/a/b`,
    ]) {
      await expect(provisioner.get({ vendor: 'google-channel', name })).rejects.toMatchObject({
        kind: 'invalid-argument',
      });
    }
    for (const operation of ['', 'operations/../x', 'nope', 42]) {
      const token = `ep1.${Buffer.from(JSON.stringify({ vendor: 'google-channel', operation })).toString('base64url')}`;
      await expect(provisioner.resume(token)).rejects.toMatchObject({ kind: 'invalid-argument' });
    }
    expect(emulator.calls).toHaveLength(0);
  });

  it('options: plain text only to loopback, host and port apart', () => {
    expect(() =>
      createGoogleChannelProvisioner({ apiEndpoint: 'cloudchannel.googleapis.com', insecure: true }),
    ).toThrowError(expect.objectContaining({ kind: 'invalid-argument' }));
    expect(() => createGoogleChannelProvisioner({ apiEndpoint: '127.0.0.1:8080', insecure: true })).toThrow(
      /port option/,
    );
    expect(() => createGoogleChannelProvisioner({ insecure: true })).toThrow(/cloudchannel\.googleapis\.com/);
    expect(() => createGoogleChannelProvisioner({ maxRetries: 1.5 })).toThrow(/maxRetries/);
  });
});

// ---------------------------------------------------------------------------------------------
// Request fields are checked against the generated rules, never coerced
// ---------------------------------------------------------------------------------------------

const parameter = (value: unknown) =>
  request({ entitlement: { offer: OFFER_STARTER, parameters: [{ name: 'p', value: value as never }] } });

/** The refusal of `bad`: invalid-argument naming `field`, its message containing `expected`. */
function refusal(bad: unknown, field: string, expected: RegExp): EntitlementError {
  let caught: unknown;
  try {
    checkCreateRequest(bad);
  } catch (error) {
    caught = error;
  }
  expect(caught, `refused: ${field}`).toBeInstanceOf(EntitlementError);
  const error = caught as EntitlementError;
  expect(error.kind).toBe('invalid-argument');
  expect(error.details).toContainEqual(expect.objectContaining({ field }));
  expect(error.message).toContain(field);
  expect(error.message).toMatch(expected);
  expect(error.message).toContain('nothing was sent');
  return error;
}

describe('Cloud Channel request fields are checked against the descriptor, never coerced', () => {
  it('refuses the coercions protobufjs would make silently, naming the field and what was expected', () => {
    refusal(
      parameter({ boolValue: 'false' }),
      'entitlement.parameters[0].value.boolValue',
      /must be a boolean \(true or false\), not the string "false"/,
    );
    refusal(
      parameter({ int64Value: 'abc' }),
      'entitlement.parameters[0].value.int64Value',
      /must be a decimal integer, not the string "abc"/,
    );
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, purchaseOrderId: { po: 1 } as never } }),
      'entitlement.purchaseOrderId',
      /must be a string, not an object/,
    );
  });

  it.each([
    ['an int64 as a fraction', { int64Value: 1.5 }, 'int64Value', /must be an integer/],
    ['an int64 beyond 2^53 as a number', { int64Value: 2 ** 60 }, 'int64Value', /must be an integer/],
    ['an int64 out of range', { int64Value: 2n ** 63n }, 'int64Value', /outside the int64 range/],
    ['an int64 with a leading zero', { int64Value: '007' }, 'int64Value', /decimal integer/],
    ['an int64 with spaces', { int64Value: ' 7' }, 'int64Value', /decimal integer/],
    ['a double NaN', { doubleValue: Number.NaN }, 'doubleValue', /finite number/],
    ['a double Infinity', { doubleValue: Number.POSITIVE_INFINITY }, 'doubleValue', /finite number/],
    ['a double as a string', { doubleValue: '1.5' }, 'doubleValue', /finite number, not the string/],
    ['a string as a number', { stringValue: 5 }, 'stringValue', /must be a string, not the number 5/],
    ['a bool as a number', { boolValue: 0 }, 'boolValue', /must be a boolean/],
    ['an Any as a string', { protoValue: 'x' }, 'protoValue', /must be an object/],
    [
      'an Any with a field it does not have',
      { protoValue: { typeUrl: 'x' } },
      'protoValue.typeUrl',
      /not a field of google\.protobuf\.Any/,
    ],
    [
      'an Any with non-base64 bytes',
      { protoValue: { type_url: 't', value: '!!' } },
      'protoValue.value',
      /base64/,
    ],
  ])('refuses %s', (_, value, field, expected) => {
    refusal(parameter(value), `entitlement.parameters[0].value.${field}`, expected);
  });

  it('a Value has exactly one kind', () => {
    refusal(
      parameter({}),
      'entitlement.parameters[0].value.kind',
      /must be set: one of int64Value, stringValue/,
    );
    refusal(
      parameter({ int64Value: '1', boolValue: true }),
      'entitlement.parameters[0].value.kind',
      /is one of int64Value, .*, but int64Value and boolValue are set/,
    );
    // An unset kind (null, undefined) is not a kind.
    expect(
      checkCreateRequest(parameter({ int64Value: '1', boolValue: null })).entitlement.parameters,
    ).toEqual([{ name: 'p', value: { int64Value: '1' } }]);
  });

  it('refuses unknown fields at every level (protobufjs would drop them)', () => {
    refusal(
      request({ entitlment: {} }),
      'entitlment',
      /is not a field of google\.cloud\.channel\.v1\.CreateEntitlementRequest/,
    );
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, offerId: 'x' } as never }),
      'entitlement.offerId',
      /expected offer, commitmentSettings/,
    );
    refusal(
      request({
        entitlement: {
          offer: OFFER_STARTER,
          commitmentSettings: { renewalSettings: { enableRenewal: true, autoRenew: true } as never },
        },
      }),
      'entitlement.commitmentSettings.renewalSettings.autoRenew',
      /not a field of google\.cloud\.channel\.v1\.RenewalSettings/,
    );
    refusal(
      request({ requestId: crypto.randomUUID() }),
      'requestId',
      /derived from the idempotencyKey call option/,
    );
  });

  it('refuses fields marked OUTPUT_ONLY, at every level', () => {
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, provisioningState: 'ACTIVE' } as never }),
      'entitlement.provisioningState',
      /set by Cloud Channel \(output only\)/,
    );
    refusal(
      request({
        entitlement: { offer: OFFER_STARTER, commitmentSettings: { startTime: { seconds: '1' } } as never },
      }),
      'entitlement.commitmentSettings.startTime',
      /output only/,
    );
    refusal(
      request({
        entitlement: {
          offer: OFFER_STARTER,
          parameters: [{ name: 'p', value: { boolValue: true }, editable: true }],
        } as never,
      }),
      'entitlement.parameters[0].editable',
      /output only/,
    );
  });

  it('checks enums by their generated names (or numbers), and nested messages by their types', () => {
    const renewal = (renewalSettings: unknown) =>
      request({
        entitlement: {
          offer: OFFER_STARTER,
          commitmentSettings: { renewalSettings: renewalSettings as never },
        },
      });
    refusal(
      renewal({ paymentPlan: 'YEARLY' }),
      'entitlement.commitmentSettings.renewalSettings.paymentPlan',
      /must be one of PAYMENT_PLAN_UNSPECIFIED, COMMITMENT/,
    );
    refusal(
      renewal({ paymentPlan: 42 }),
      'entitlement.commitmentSettings.renewalSettings.paymentPlan',
      /not the number 42/,
    );
    refusal(
      renewal({ paymentCycle: { duration: '12', periodType: 'MONTH' } }),
      'entitlement.commitmentSettings.renewalSettings.paymentCycle.duration',
      /must be an integer, not the string "12"/,
    );
    refusal(
      renewal({ paymentCycle: { duration: 2 ** 31 } }),
      'entitlement.commitmentSettings.renewalSettings.paymentCycle.duration',
      /outside the int32 range/,
    );
    refusal(renewal([]), 'entitlement.commitmentSettings.renewalSettings', /must be an object, not a list/);
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, associationInfo: { baseEntitlement: 'x' } } }),
      'entitlement.associationInfo.baseEntitlement',
      /is not accounts\/\{account\}\/customers\/\{customer\}\/entitlements\/\{entitlement\}/,
    );
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, billingAccount: 7 } as never }),
      'entitlement.billingAccount',
      /must be a string/,
    );
    const { entitlement } = checkCreateRequest(
      renewal({ paymentPlan: 2, enableRenewal: false, paymentCycle: { duration: 1, periodType: 'YEAR' } }),
    );
    expect(entitlement.commitmentSettings).toEqual({
      renewalSettings: {
        paymentPlan: 'FLEXIBLE',
        enableRenewal: false,
        paymentCycle: { duration: 1, periodType: 'YEAR' },
      },
    });
  });

  it('refuses names with lone surrogates, over-long strings and non-objects where messages go', () => {
    refusal(request({ parent: `${VERIFIED}\uD800` }), 'parent', /lone UTF-16 surrogate/);
    refusal(
      parameter({ stringValue: 'a\uDC00b' }),
      'entitlement.parameters[0].value.stringValue',
      /lone UTF-16 surrogate/,
    );
    refusal(
      parameter({ stringValue: 'x'.repeat(MAX_STRING_BYTES + 1) }),
      'entitlement.parameters[0].value.stringValue',
      /longer than/,
    );
    refusal(
      request({ parent: `accounts/${'a'.repeat(600)}/customers/S1` }),
      'parent',
      /longer than 512 characters/,
    );
    refusal(
      request({ entitlement: new Map() as never }),
      'entitlement',
      /must be an object, not an object|must be an object/,
    );
    refusal(request({ externalCorrelationId: 5 as never }), 'externalCorrelationId', /must be a string/);
    refusal(request({ externalCorrelationId: '\uD83D' }), 'externalCorrelationId', /lone UTF-16 surrogate/);
    refusal(
      request({ entitlement: { offer: OFFER_STARTER, parameters: [null as never] } }),
      'entitlement.parameters[0]',
      /must not be empty/,
    );
  });

  it('returns the wire-ready request: settable fields only, int64 as decimal strings, nulls dropped', () => {
    const checked = checkCreateRequest(
      request({
        entitlement: {
          offer: OFFER_STARTER,
          purchaseOrderId: null,
          priceReferenceId: 'price-1',
          parameters: [
            { name: 'big', value: { int64Value: 2n ** 62n } },
            { name: 'small', value: { int64Value: -5 } },
            { name: 'long', value: { int64Value: { low: -1, high: 0, unsigned: true } } },
            { name: 'flag', value: { boolValue: false } },
            { name: 'any', value: { protoValue: { type_url: 'type.googleapis.com/x.Y', value: 'AAE=' } } },
          ],
        },
        externalCorrelationId: 'crm-1',
      }),
    );
    expect(checked).toEqual({
      parent: VERIFIED,
      entitlement: {
        offer: OFFER_STARTER,
        priceReferenceId: 'price-1',
        parameters: [
          { name: 'big', value: { int64Value: String(2n ** 62n) } },
          { name: 'small', value: { int64Value: '-5' } },
          { name: 'long', value: { int64Value: '4294967295' } },
          { name: 'flag', value: { boolValue: false } },
          {
            name: 'any',
            value: { protoValue: { type_url: 'type.googleapis.com/x.Y', value: Uint8Array.from([0, 1]) } },
          },
        ],
      },
      externalCorrelationId: 'crm-1',
    });
  });

  it('through the adapter: a bad field is refused before anything is sent; a bigint is sent as its decimal string', async () => {
    const { emulator, provisioner } = await env('grpc');
    const error = await provisioner.create(parameter({ boolValue: 'false' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid-argument', vendor: 'google-channel' });
    expect((error as Error).message).toContain('entitlement.parameters[0].value.boolValue');
    expect(emulator.calls).toHaveLength(0);

    const operation = await provisioner.create(
      request({
        entitlement: {
          offer: OFFER_STARTER,
          parameters: [
            { name: 'num_units', value: { int64Value: 9_007_199_254_740_993n } },
            { name: 'auto_renew', value: { boolValue: false } },
          ],
        },
      }),
    );
    const entitlement = await operation.wait();
    expect(entitlement.raw.parameters).toEqual([
      { name: 'num_units', value: { int64Value: '9007199254740993' } },
      { name: 'auto_renew', value: { boolValue: false } },
    ]);
    expect(emulator.entitlements()[0]?.parameters).toEqual(entitlement.raw.parameters);
  });
});
