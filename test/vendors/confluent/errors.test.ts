import { describe, expect, it } from 'vitest';
import spec from '../../../generated/confluent/openapi.json' with { type: 'json' };
import { EntitlementError } from '../../../src/core/index.ts';
import { kindForStatus, retryAfterMs } from '../../../src/vendors/confluent/http-errors.ts';
import { createConfluentProvisioner } from '../../../src/vendors/confluent/index.ts';
import { body, env, type setup } from './helpers.ts';

const create = (provisioner: Awaited<ReturnType<typeof setup>>['provisioner'], options = {}) =>
  provisioner.create({ vendor: 'confluent', entitlement: body() }, options);

describe('Confluent errors map to kinds', () => {
  it('every status the spec lists maps to a kind', () => {
    const statuses = new Set<number>();
    for (const item of Object.values(spec.paths)) {
      for (const operation of Object.values(item as Record<string, { responses?: object }>)) {
        for (const status of Object.keys(operation.responses ?? {})) statuses.add(Number(status));
      }
    }
    const kinds = Object.fromEntries([...statuses].filter((s) => s >= 400).map((s) => [s, kindForStatus(s)]));
    expect(kinds).toEqual({
      400: 'invalid-argument',
      401: 'unauthenticated',
      403: 'permission-denied',
      404: 'not-found',
      409: 'already-exists',
      429: 'rate-limited',
      500: 'internal',
    });
    expect([502, 503, 504].map(kindForStatus)).toEqual(['unavailable', 'unavailable', 'unavailable']);
  });

  it('400 from the server: invalid-argument with the vendor error list, not retried', async () => {
    const { emulator } = await env();
    // Corrupt the body on the wire so the server (not the client-side check) rejects it.
    const tamper: typeof fetch = async (input, init) => {
      const request = new Request(input as Request, init);
      const json = (await request.clone().json()) as Record<string, unknown>;
      return fetch(new Request(request, { body: JSON.stringify({ ...json, plan_id: 'tampered' }) }));
    };
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'bearer', token: 'emulator-token' },
      fetch: tamper,
    });
    const error = (await create(provisioner).catch((e: unknown) => e)) as EntitlementError;
    expect(error).toBeInstanceOf(EntitlementError);
    expect(error).toMatchObject({ kind: 'invalid-argument', httpStatus: 400, attempts: 1, retryable: false });
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: expect.objectContaining({ pointer: '/plan_id' }) }),
      ]),
    );
    expect(error.message).toContain('/plan_id');
    expect(error.requestId).toBe(emulator.requests.at(-1)?.requestId);
  });

  it('401 with a wrong static token: unauthenticated, not retried', async () => {
    const { emulator, provisioner } = await env({ credentials: { type: 'bearer', token: 'wrong' } });
    await expect(create(provisioner)).rejects.toMatchObject({
      kind: 'unauthenticated',
      httpStatus: 401,
      attempts: 1,
    });
    expect(emulator.requests).toHaveLength(1);
  });

  it('403 for credentials without the scope: permission-denied', async () => {
    const { provisioner } = await env(
      { credentials: { type: 'bearer', token: 'reader' } },
      { credentials: [{ token: 'reader', scopes: ['partner:describe'] }] },
    );
    await expect(create(provisioner)).rejects.toMatchObject({ kind: 'permission-denied', httpStatus: 403 });
  });

  it('404: not-found, saying what was looked for', async () => {
    const { provisioner } = await env();
    const error = await provisioner.get({ vendor: 'confluent', id: 'ent-nothing' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not-found', httpStatus: 404 });
    expect((error as Error).message).toContain('ent-nothing');
  });

  it('429: retried no sooner than the Retry-After the emulator sent, with jitter on top', async () => {
    const { emulator, provisioner, events } = await env({}, { rateLimit: { requests: 1, perMs: 1_000 } });
    await create(provisioner);
    const operation = await create(provisioner);
    expect(operation.meta.attempts).toBe(2);
    const limited = emulator.requests.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', errorKind: 'rate-limited' });
    // The emulator's window is 1 s, so it asks for Retry-After: 1.
    expect(retry?.type === 'retry' && retry.delayMs).toBeGreaterThanOrEqual(1000);
    expect(retry?.type === 'retry' && retry.delayMs).toBeLessThanOrEqual(2000);
    expect(emulator.entitlements()).toHaveLength(2);
  });

  it('429 past the retries: rate-limited with retryAfterMs', async () => {
    const { provisioner } = await env({ maxRetries: 0 }, { rateLimit: { requests: 1, perMs: 60_000 } });
    await create(provisioner);
    const error = (await create(provisioner).catch((e: unknown) => e)) as EntitlementError;
    expect(error).toMatchObject({ kind: 'rate-limited', httpStatus: 429, retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('Retry-After and X-RateLimit-Reset are relative seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': '7' }))).toBe(7000);
    expect(
      retryAfterMs(
        new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:10 GMT' }),
        Date.parse('2026-11-25T10:00:00Z'),
      ),
    ).toBe(10_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  for (const [status, kind, bodyKind] of [
    [500, 'internal', 'json'],
    [502, 'unavailable', 'html'],
    [503, 'unavailable', 'empty'],
    [504, 'unavailable', 'json'],
  ] as const) {
    it(`${status} with a ${bodyKind} body: ${kind}, retried, then succeeds`, async () => {
      const { emulator, provisioner } = await env();
      emulator.inject({ type: 'status', status, body: bodyKind, match: { method: 'POST' } });
      const operation = await create(provisioner);
      expect(operation.meta.attempts).toBe(2);
      expect(emulator.requests.map((r) => r.status)).toEqual([status, 201]);
    });

    it(`${status} with a ${bodyKind} body and no retries left: ${kind}, message says so`, async () => {
      const { emulator, provisioner } = await env({ maxRetries: 0 });
      emulator.inject({ type: 'status', status, body: bodyKind, match: { method: 'POST' } });
      const error = (await create(provisioner).catch((e: unknown) => e)) as EntitlementError;
      expect(error).toMatchObject({ kind, httpStatus: status, retryable: true, attempts: 1 });
      if (bodyKind === 'empty') expect(error.message).toContain('empty response body');
      if (bodyKind === 'html') expect(error.message).toContain('non-JSON');
      expect(error.requestId).toBe(emulator.requests.at(-1)?.requestId);
    });
  }

  it('a connection reset is unavailable and retried', async () => {
    const { emulator, provisioner } = await env();
    emulator.inject({ type: 'reset', match: { method: 'POST' } });
    const operation = await create(provisioner);
    expect(operation.meta.attempts).toBe(2);
    expect(emulator.entitlements()).toHaveLength(1);
  });

  it('a connection refused is unavailable after the retries', async () => {
    const { emulator } = await env();
    const url = emulator.url;
    await emulator.close();
    const provisioner = createConfluentProvisioner({
      baseUrl: url,
      credentials: { type: 'bearer', token: 'emulator-token' },
      maxRetries: 1,
    });
    await expect(create(provisioner)).rejects.toMatchObject({ kind: 'unavailable', attempts: 2 });
  });

  it('a fetch option that throws is named as the cause (not the library), and the call is not retried', async () => {
    let calls = 0;
    const provisioner = createConfluentProvisioner({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { type: 'bearer', token: 'emulator-token' },
      fetch: async () => {
        calls++;
        throw new Error('proxy refused the request');
      },
    });
    const error = await create(provisioner).catch((caught: unknown) => caught);
    expect(EntitlementError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'internal',
      retryable: false,
      reason: 'CUSTOM_FETCH_FAILED',
      attempts: 1,
    });
    expect((error as Error).message).toContain(
      '`fetch` option threw during the create: proxy refused the request',
    );
    expect((error as Error).message).not.toContain('bug in entitlement-provisioner');
    expect(calls).toBe(1);
    // A fetch option that fails like the network does stays a network failure.
    const network = createConfluentProvisioner({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { type: 'bearer', token: 'emulator-token' },
      maxRetries: 0,
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
        });
      },
    });
    await expect(create(network)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('a request that outlives its timeout is deadline-exceeded', async () => {
    const { emulator, provisioner } = await env({ maxRetries: 0 });
    emulator.inject({ type: 'latency', ms: 500, match: { method: 'GET' } });
    await expect(
      provisioner.get({ vendor: 'confluent', id: 'ent-slow' }, { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      kind: 'deadline-exceeded',
      attempts: 1,
    });
  });

  it('aborting mid-request is cancelled and not retried', async () => {
    const { emulator, provisioner } = await env();
    emulator.inject({ type: 'latency', ms: 2_000, match: { method: 'GET' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      provisioner.get({ vendor: 'confluent', id: 'ent-slow' }, { signal: controller.signal }),
    ).rejects.toMatchObject({ kind: 'cancelled', attempts: 1 });
  });
});
