import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeToken, type ProvisionerEvent } from '../../src/core/index.ts';
import { createProvisioner, fromEnvironment } from '../../src/provisioner.ts';
import { startChannelEmulator, startConfluentEmulator } from '../../src/testing/index.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../../src/vendors/confluent/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

let confluent: Awaited<ReturnType<typeof startConfluentEmulator>>;
let channel: Awaited<ReturnType<typeof startChannelEmulator>>;

beforeAll(async () => {
  confluent = await startConfluentEmulator();
  channel = await startChannelEmulator({ completion: { afterPolls: 1 } });
});
afterAll(async () => {
  await confluent?.close();
  await channel?.close();
});

const confluentRequest = (externalId: string) =>
  ({
    vendor: 'confluent',
    entitlement: {
      external_id: externalId,
      name: 'Facade',
      plan_id: PLAN_ID as ConfluentPlanId,
      product_id: PRODUCT_ID as ConfluentProductId,
    },
  }) as const;

function facade(events: ProvisionerEvent[] = []) {
  return createProvisioner({
    tracing: false,
    env: {},
    confluent: { baseUrl: confluent.url, credentials: { type: 'bearer', token: 'emulator-token' } },
    googleChannel: {
      apiEndpoint: '127.0.0.1',
      port: channel.grpcAddress.port,
      insecure: true,
      polling: { initialDelayMs: 5 },
    },
    onEvent: (event) => events.push(event),
  });
}

describe('the facade', () => {
  it('routes create by vendor, resume by token and get by reference, across both vendors', async () => {
    const events: ProvisionerEvent[] = [];
    const provisioner = facade(events);
    try {
      expect(provisioner.vendors).toEqual(['confluent', 'google-channel']);
      const c = await provisioner.create(confluentRequest('facade-1'));
      const g = await provisioner.create({
        vendor: 'google-channel',
        parent: 'accounts/C0000001/customers/S0000001',
        entitlement: { offer: 'accounts/C0000001/offers/OFFER-GCP' },
      });
      const [ce, ge] = await Promise.all([
        (await provisioner.resume(c.token)).wait(),
        (await provisioner.resume(g.token)).wait(),
      ]);
      expect(ce).toMatchObject({ vendor: 'confluent', state: 'active' });
      expect(ge).toMatchObject({ vendor: 'google-channel', state: 'active' });
      expect(await provisioner.get({ vendor: 'confluent', id: ce.id })).toMatchObject({ id: ce.id });
      expect(await provisioner.get({ vendor: 'google-channel', name: ge.id })).toMatchObject({ id: ge.id });
      expect(new Set(events.map((event) => event.vendor))).toEqual(new Set(['confluent', 'google-channel']));
    } finally {
      await provisioner.close();
    }
  });

  it('refuses vendors it does not handle, and tokens of unknown vendors', async () => {
    const provisioner = createProvisioner({
      env: {},
      confluent: false,
      googleChannel: false,
      tracing: false,
    });
    expect(provisioner.vendors).toEqual([]);
    await expect(provisioner.create(confluentRequest('x'))).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    await expect(provisioner.resume(encodeToken({ vendor: 'acme' }))).rejects.toThrow(/names vendor "acme"/);
    await expect(provisioner.resume('garbage')).rejects.toMatchObject({ kind: 'invalid-argument' });
  });

  it('without Confluent credentials says which variables to set, and sends nothing', async () => {
    const provisioner = createProvisioner({ env: {}, googleChannel: false, tracing: false });
    const before = confluent.requests.length;
    await expect(provisioner.create(confluentRequest('x'))).rejects.toThrow(
      /CONFLUENT_API_KEY.*CONFLUENT_PARTNER_TOKEN/,
    );
    expect(confluent.requests.length).toBe(before);
  });

  it('reads configuration from the environment', async () => {
    expect(
      fromEnvironment({ CONFLUENT_API_KEY: 'k', CONFLUENT_API_SECRET: 's' }).confluent?.credentials,
    ).toEqual({
      type: 'api-key',
      apiKey: 'k',
      apiSecret: 's',
    });
    expect(
      fromEnvironment({ CONFLUENT_PARTNER_TOKEN: 't', CONFLUENT_BASE_URL: 'http://127.0.0.1:1' }).confluent,
    ).toEqual({
      credentials: { type: 'bearer', token: 't' },
      baseUrl: 'http://127.0.0.1:1',
    });
    expect(fromEnvironment({}).confluent).toBeUndefined();
    expect(
      fromEnvironment({ CLOUD_CHANNEL_EMULATOR_HOST: '127.0.0.1:9090', CLOUD_CHANNEL_TRANSPORT: 'rest' })
        .googleChannel,
    ).toEqual({
      apiEndpoint: '127.0.0.1',
      port: 9090,
      insecure: true,
      transport: 'rest',
    });
    expect(() => fromEnvironment({ CLOUD_CHANNEL_EMULATOR_HOST: 'nope' })).toThrow(/host:port/);
    expect(() => fromEnvironment({ CLOUD_CHANNEL_EMULATOR_HOST: '127.0.0.1:0' })).toThrow(/host:port/);
    expect(fromEnvironment({ CLOUD_CHANNEL_EMULATOR_HOST: '[::1]:9090' }).googleChannel).toMatchObject({
      apiEndpoint: '[::1]',
      port: 9090,
    });

    const provisioner = createProvisioner({
      tracing: false,
      env: { CONFLUENT_BASE_URL: confluent.url, CONFLUENT_PARTNER_TOKEN: 'emulator-token' },
      googleChannel: false,
    });
    const operation = await provisioner.create(confluentRequest('from-env'));
    expect(operation.meta.httpStatus).toBe(201);
    await provisioner.close();
  });
});

describe('the facade checks its configuration and reads each vendor environment only when that vendor is used', () => {
  it('refuses a bad configuration before loading anything, naming the option', () => {
    for (const [config, field] of [
      [null, 'config'],
      [5, 'config'],
      [{ confluent: 'yes' }, 'config.confluent'],
      [{ googleChannel: null }, 'config.googleChannel'],
      [{ adapters: { acme: 5 } }, 'config.adapters.acme'],
      [{ adapters: { confluent: () => ({}) } }, 'config.adapters.confluent'],
      [{ onEvent: 'log' }, 'config.onEvent'],
      [{ tracing: 'off' }, 'config.tracing'],
      [{ env: { CONFLUENT_API_KEY: 5 } }, 'config.env.CONFLUENT_API_KEY'],
      [{ enviroment: {} }, 'config.enviroment'],
    ] as const) {
      expect(() => createProvisioner(config as never)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument', message: expect.stringContaining(field) }),
      );
    }
  });

  it('a disabled vendor never reads its variables; an enabled one refuses bad values naming the variable', async () => {
    const bad = { CLOUD_CHANNEL_EMULATOR_HOST: 'not-a-host-port', CLOUD_CHANNEL_TRANSPORT: 'grcp' };
    const off = createProvisioner({ env: bad, googleChannel: false, confluent: false, tracing: false });
    expect(off.vendors).toEqual([]);
    await off.close();

    const transport = createProvisioner({
      env: { CLOUD_CHANNEL_TRANSPORT: 'grcp' },
      confluent: false,
      tracing: false,
    });
    await expect(
      transport.create({
        vendor: 'google-channel',
        parent: 'accounts/C0000001/customers/S0000001',
        entitlement: { offer: 'accounts/C0000001/offers/OFFER-GCP' },
      }),
    ).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringContaining('CLOUD_CHANNEL_TRANSPORT'),
    });
    await transport.close();
  });

  it('an API key without its secret names the missing secret, and sends nothing', async () => {
    const before = confluent.requests.length;
    const provisioner = createProvisioner({
      env: { CONFLUENT_API_KEY: 'key-without-secret', CONFLUENT_BASE_URL: confluent.url },
      googleChannel: false,
      tracing: false,
    });
    await expect(provisioner.create(confluentRequest('half-key'))).rejects.toMatchObject({
      kind: 'invalid-argument',
      message: expect.stringContaining('CONFLUENT_API_SECRET'),
    });
    expect(confluent.requests.length).toBe(before);
    await provisioner.close();
  });

  it('resume with { vendor } checks the token belongs to it; a closed provisioner refuses calls', async () => {
    const provisioner = createProvisioner({
      env: { CONFLUENT_BASE_URL: confluent.url, CONFLUENT_PARTNER_TOKEN: 'emulator-token' },
      googleChannel: { apiEndpoint: '127.0.0.1', port: channel.grpcAddress.port, insecure: true },
      tracing: false,
    });
    const operation = await provisioner.create(confluentRequest('typed-resume'));
    const resumed = await provisioner.resume(operation.token, { vendor: 'confluent' });
    expect(resumed.vendor).toBe('confluent');
    await expect(provisioner.resume(operation.token, { vendor: 'google-channel' })).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    await provisioner[Symbol.asyncDispose]();
    await expect(provisioner.create(confluentRequest('after-close'))).rejects.toMatchObject({
      kind: 'failed-precondition',
    });
  });
});
