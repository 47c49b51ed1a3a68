import { describe, expect, it } from 'vitest';
import {
  createGoogleChannelProvisioner,
  type GoogleChannelCreateRequest,
} from '../../../src/vendors/google-channel/index.ts';
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
