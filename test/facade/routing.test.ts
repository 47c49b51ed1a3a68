import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeToken, type ProvisionerEvent } from '../../src/core/index.ts';
import { createProvisioner, fromEnvironment } from '../../src/provisioner.ts';
import { startChannelEmulator, startConfluentEmulator } from '../../src/testing/index.ts';

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
      plan_id: 'confluent-cloud-payg-prod',
      product_id: 'confluent-cloud-for-apache-kafka',
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
