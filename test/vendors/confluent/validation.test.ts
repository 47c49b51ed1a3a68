import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type { ProvisionerEvent } from '../../../src/core/index.ts';
import {
  type ConfluentEntitlementInput,
  createConfluentProvisioner,
} from '../../../src/vendors/confluent/index.ts';
import { body, env } from './helpers.ts';

const bad = (value: Record<string, unknown>) => value as unknown as ConfluentEntitlementInput;

describe('bad input is refused with a typed error and nothing is sent', () => {
  const cases: [string, () => ConfluentEntitlementInput, string][] = [
    [
      'a plan id the spec does not list',
      () => bad({ ...body(), plan_id: 'confluent-cloud-free' }),
      '/plan_id',
    ],
    ['a missing required field', () => bad({ ...body(), name: undefined }), '/name'],
    [
      'an over-long organization id',
      () => body({ organization: { id: 'o'.repeat(256) } }),
      '/organization/id',
    ],
    ['an unknown field', () => bad({ ...body(), discount: 100 }), '/discount'],
    ['a wrong type', () => bad({ ...body(), external_id: 42 }), '/external_id'],
    ['no body at all', () => bad(undefined as never), 'body'],
  ];
  for (const [label, make, where] of cases) {
    it(`create with ${label}`, async () => {
      const { emulator, provisioner } = await env();
      const error = await provisioner
        .create({ vendor: 'confluent', entitlement: make() })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'invalid-argument', vendor: 'confluent', retryable: false });
      expect((error as Error).message).toContain(where);
      expect(emulator.requests).toHaveLength(0);
    });
  }

  for (const id of ['../admin', '..', 'a/b', 'a?b=1', 'a#b', '%2e%2e', 'a b', '', 'x'.repeat(256)]) {
    it(`get with the id ${JSON.stringify(id.slice(0, 20))}`, async () => {
      const { emulator, provisioner } = await env();
      await expect(provisioner.get({ vendor: 'confluent', id })).rejects.toMatchObject({
        kind: 'invalid-argument',
      });
      await expect(
        provisioner.resume(
          `ep1.${Buffer.from(JSON.stringify({ vendor: 'confluent', id })).toString('base64url')}`,
        ),
      ).rejects.toMatchObject({ kind: 'invalid-argument' });
      expect(emulator.requests).toHaveLength(0);
    });
  }

  it('a request for another vendor, or no request at all', async () => {
    const { emulator, provisioner } = await env();
    await expect(provisioner.create({ vendor: 'google-channel' } as never)).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    await expect(provisioner.create(null as never)).rejects.toMatchObject({ kind: 'invalid-argument' });
    await expect(provisioner.get({ vendor: 'confluent' } as never)).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('options are checked when the client is made', () => {
    const credentials = { type: 'bearer', token: 't' } as const;
    for (const baseUrl of [
      'http://api.confluent.cloud',
      'ftp://x',
      'not a url',
      'https://u:p@api.confluent.cloud',
      'https://x/?a=1',
    ]) {
      expect(() => createConfluentProvisioner({ baseUrl, credentials })).toThrowError(
        expect.objectContaining({ kind: 'invalid-argument' }),
      );
    }
    for (const ok of [
      'http://127.0.0.1:1',
      'http://localhost:2',
      'http://[::1]:3',
      'https://api.confluent.cloud/',
    ]) {
      expect(() => createConfluentProvisioner({ baseUrl: ok, credentials })).not.toThrow();
    }
    expect(() => createConfluentProvisioner({ credentials: { type: 'bearer', token: '' } })).toThrow(
      /non-empty/,
    );
    expect(() =>
      createConfluentProvisioner({ credentials: { type: 'bearer', token: 'a\r\nX-Evil: 1' } }),
    ).toThrow(/control/);
    expect(() =>
      createConfluentProvisioner({ credentials: { type: 'api-key', apiKey: 'k', apiSecret: '' } }),
    ).toThrow();
    expect(() => createConfluentProvisioner({ credentials, maxRetries: -1 })).toThrow(/maxRetries/);
  });
});

describe('secrets never appear in errors, events or inspection', () => {
  const SECRET = 'super-secret-value-123';

  it('not with a bearer token, nor with an API key and secret', async () => {
    const { emulator } = await env();
    const events: ProvisionerEvent[] = [];
    const seen: unknown[] = [];
    for (const credentials of [
      { type: 'bearer', token: SECRET } as const,
      { type: 'api-key', apiKey: `key-${SECRET}`, apiSecret: SECRET } as const,
      { type: 'bearer', token: async () => SECRET } as const,
    ]) {
      const provisioner = createConfluentProvisioner({
        baseUrl: emulator.url,
        credentials,
        onEvent: (e) => events.push(e),
        maxRetries: 0,
      });
      seen.push(inspect(provisioner, { depth: 10, showHidden: true }), JSON.stringify(provisioner));
      const error = await provisioner
        .create({ vendor: 'confluent', entitlement: body() })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'unauthenticated' });
      seen.push(
        inspect(error, { depth: 10, showHidden: true }),
        JSON.stringify(error),
        (error as Error).stack,
      );
    }
    seen.push(
      JSON.stringify(events),
      JSON.stringify(emulator.requests),
      JSON.stringify(emulator.entitlements()),
    );
    const text = seen.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(`key-${SECRET}:${SECRET}`).toString('base64'));
    expect(events.some((e) => e.type === 'response')).toBe(true);
  });
});

describe('events', () => {
  it('report request, attempt, response, retry and done with request ids and timings', async () => {
    const { emulator, provisioner, events } = await env();
    emulator.inject({ type: 'status', status: 503, body: 'json', match: { method: 'POST' } });
    await provisioner.create({ vendor: 'confluent', entitlement: body() });
    expect(events.map((e) => e.type)).toEqual([
      'request',
      'attempt',
      'response',
      'retry',
      'attempt',
      'response',
      'done',
    ]);
    const responses = events.filter((e) => e.type === 'response');
    expect(responses.map((e) => e.type === 'response' && e.requestId)).toEqual(
      emulator.requests.map((r) => r.requestId),
    );
    for (const e of responses) expect(e.type === 'response' && e.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a listener that throws does not break the call; it is reported as a process warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { emulator } = await env();
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: { type: 'bearer', token: 'emulator-token' },
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    expect(operation.meta.httpStatus).toBe(201);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'));
    warn.mockRestore();
  });
});
