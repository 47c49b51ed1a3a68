import { setTimeout as sleepFor } from 'node:timers/promises';
/**
 * Both emulators' quotas: fixed windows per method (Cloud Channel) or per operation / over all
 * requests (Confluent), a time scale, a clock the tests move instead of sleeping, and a count of
 * every quota error served.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CHANNEL_PUBLISHED_QUOTA,
  type ChannelEmulatorOptions,
  type ConfluentEmulatorOptions,
  DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import { createGoogleChannelProvisioner } from '../../src/vendors/google-channel/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

const ACCOUNT = 'accounts/C0000001';
const PARENT = `${ACCOUNT}/customers/S0000001`;
const STARTER = `${ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;
const GCP = `${ACCOUNT}/offers/OFFER-GCP`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A clock the test moves by hand (the emulators' clock option: now() and sleep(), which no test here uses). */
function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    sleep: (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : undefined),
    advance(ms: number) {
      now += ms;
    },
  };
}

interface RestBody {
  name?: string;
  error?: { code?: number; status?: string; details: Record<string, unknown>[] };
}

async function channel(options: ChannelEmulatorOptions) {
  const emu = await startChannelEmulator(options);
  onTestFinished(() => emu.close());
  const post = async (offer: string, parent = PARENT) => {
    const res = await fetch(`${emu.restUrl}/v1/${parent}/entitlements`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entitlement: { offer }, requestId: crypto.randomUUID() }),
    });
    return { status: res.status, body: (await res.json()) as RestBody };
  };
  const getOperation = async (name: string) => {
    const res = await fetch(`${emu.restUrl}/v1/${name}`);
    return { status: res.status, body: (await res.json()) as RestBody };
  };
  return { emu, post, getOperation };
}

describe('Cloud Channel emulator quotas', () => {
  it('refuses creates over createPerMinute with RESOURCE_EXHAUSTED, ErrorInfo, QuotaFailure and RetryInfo', async () => {
    const clock = fakeClock();
    const parents = Array.from({ length: 4 }, (_, index) => `${ACCOUNT}/customers/R${index}`);
    const { emu, post } = await channel({
      quota: { createPerMinute: 2 },
      clock,
      customers: parents.map((name) => ({ name })),
    });
    expect((await post(GCP, parents[0])).status).toBe(200);
    expect((await post(GCP, parents[1])).status).toBe(200);
    clock.advance(15_000);
    const refused = await post(GCP, parents[2]);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    const details = refused.body.error?.details ?? [];
    expect(details.map((detail) => detail['@type'])).toEqual([
      'type.googleapis.com/google.rpc.ErrorInfo',
      'type.googleapis.com/google.rpc.QuotaFailure',
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    expect(details[0]).toMatchObject({
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'googleapis.com',
      metadata: { service: 'cloudchannel.googleapis.com', quota_limit_value: '2' },
    });
    expect(details[1]).toMatchObject({
      violations: [{ subject: 'method:CreateEntitlement', quotaValue: '2' }],
    });
    // 45 s of the 60 s window are left (the clock moved 15 s).
    expect(details[2]).toMatchObject({ retryDelay: '45s' });
    expect(emu.operations()).toHaveLength(2);
    expect(emu.quotaErrors).toBe(1);

    // The next window starts 60 s after the first call.
    clock.advance(44_999);
    expect((await post(GCP, parents[2])).status).toBe(429);
    clock.advance(1);
    expect((await post(GCP, parents[2])).status).toBe(200);
    expect(emu.quotaErrors).toBe(2);
  });

  it('counts each method apart, over gRPC and REST alike, and the library sees rate-limited with retryAfterMs', async () => {
    const clock = fakeClock();
    const { emu, post, getOperation } = await channel({
      quota: { createPerMinute: 1, getOperationPerMinute: 2 },
      completion: {},
      clock,
    });
    const adapter = createGoogleChannelProvisioner({
      apiEndpoint: '127.0.0.1',
      port: emu.grpcAddress.port,
      insecure: true,
      maxRetries: 0,
    });
    onTestFinished(() => adapter.close());
    const operation = await adapter.create({
      vendor: 'google-channel',
      parent: PARENT,
      entitlement: { offer: GCP },
    });
    // The create quota is spent (gRPC), so REST is refused; GetOperation has its own window.
    expect((await post(STARTER)).status).toBe(429);
    const name = emu.operations()[0]?.name ?? '';
    expect((await getOperation(name)).status).toBe(200);
    await operation.poll();
    const error = await operation.poll().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'rate-limited', grpcCode: 8, retryAfterMs: 60_000 });
    expect(emu.quotaErrors).toBe(2);

    emu.reset();
    expect(emu.quotaErrors).toBe(0);
    expect((await post(STARTER)).status).toBe(200);
  });

  it('time-scales the windows: timeScale 60 makes a minute last 1 s', async () => {
    const clock = fakeClock();
    const parents = Array.from({ length: 4 }, (_, index) => `${ACCOUNT}/customers/Q${index}`);
    const scaled = await channel({
      quota: { ...CHANNEL_PUBLISHED_QUOTA, createPerMinute: 3 },
      timeScale: 60,
      clock,
      customers: parents.map((name) => ({ name })),
    });
    for (const parent of parents.slice(0, 3)) expect((await scaled.post(GCP, parent)).status).toBe(200);
    clock.advance(999);
    const refused = await scaled.post(GCP, parents[3]);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.details[2]).toMatchObject({ retryDelay: '0.001s' });
    clock.advance(1);
    expect((await scaled.post(GCP, parents[3])).status).toBe(200);
    expect(scaled.emu.quotaErrors).toBe(1);
    expect(CHANNEL_PUBLISHED_QUOTA).toEqual({
      createPerMinute: 120,
      getOperationPerMinute: 600,
      getEntitlementPerMinute: 120,
    });
  });

  it('refuses invalid quotas and time scales', async () => {
    await expect(startChannelEmulator({ quota: { createPerMinute: 0 } })).rejects.toThrow(TypeError);
    await expect(startChannelEmulator({ quota: { getEntitlementPerMinute: 1.5 } })).rejects.toThrow(
      TypeError,
    );
    await expect(startChannelEmulator({ timeScale: 0 })).rejects.toThrow(TypeError);
  });
});

async function confluent(options: ConfluentEmulatorOptions) {
  const emu = await startConfluentEmulator(options);
  onTestFinished(() => emu.close());
  const headers = { Authorization: `Bearer ${DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token}` };
  let sequence = 0;
  const create = async () => {
    const res = await fetch(`${emu.url}/partner/v2/entitlements`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        external_id: `ext-${++sequence}`,
        name: 'Acme',
        plan_id: PLAN_ID,
        product_id: PRODUCT_ID,
      }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const read = async (id = 'ent-unknown') => {
    const res = await fetch(`${emu.url}/partner/v2/entitlements/${id}`, { headers });
    await res.text();
    return { status: res.status, headers: res.headers };
  };
  return { emu, create, read };
}

describe('Confluent emulator rate limits', () => {
  it('sends X-RateLimit-* on every response, refuses over the limit with Retry-After, and opens the next window', async () => {
    const clock = fakeClock();
    const { emu, create, read } = await confluent({
      rateLimit: { requests: 2, perMs: 1000 },
      clock,
    });

    const first = await create();
    expect(first.status).toBe(201);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset')).toBe('1'); // relative seconds, not epoch
    expect(first.headers.get('retry-after')).toBeNull();

    const second = await read();
    expect(second.status).toBe(404);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('0');

    clock.advance(400);
    const refused = await create();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-request-id')).toMatch(UUID);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe('1');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.text).toBe(''); // the spec's 429 declares headers only
    expect(emu.entitlements()).toHaveLength(1); // not processed
    expect(emu.requests.map((r) => r.status)).toEqual([201, 404, 429]);
    expect(emu.quotaErrors).toBe(1);

    clock.advance(600);
    const afterWindow = await create();
    expect(afterWindow.status).toBe(201);
    expect(afterWindow.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(emu.quotaErrors).toBe(1);
  });

  it('limits one operation apart from the others, time-scaled', async () => {
    const clock = fakeClock();
    const { emu, create, read } = await confluent({
      rateLimit: [
        { requests: 1, perMs: 60_000, operationId: 'createPartnerV2Entitlement' },
        { requests: 3, perMs: 60_000 },
      ],
      timeScale: 60,
      clock,
    });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(429); // the create limit
    expect((await read()).status).toBe(404);
    expect((await read()).status).toBe(429); // the limit over every request: 4 counted
    clock.advance(1000); // a scaled minute
    expect((await create()).status).toBe(201);
    expect(emu.quotaErrors).toBe(2);
    emu.reset();
    expect(emu.quotaErrors).toBe(0);
  });

  it('is off by default and refuses invalid limits', async () => {
    const { emu, create, read } = await confluent({});
    expect((await create()).headers.get('x-ratelimit-limit')).toBeNull();
    for (let i = 0; i < 20; i++) expect((await read()).status).toBe(404);
    expect(emu.quotaErrors).toBe(0);
    await expect(startConfluentEmulator({ rateLimit: { requests: 0, perMs: 10 } })).rejects.toThrow(
      TypeError,
    );
    await expect(startConfluentEmulator({ rateLimit: [{ requests: 1, perMs: 0 }] })).rejects.toThrow(
      TypeError,
    );
    await expect(
      startConfluentEmulator({ timeScale: -1, rateLimit: { requests: 1, perMs: 1 } }),
    ).rejects.toThrow(TypeError);
  });
});
