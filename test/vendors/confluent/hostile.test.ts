/**
 * Values and servers nobody here wrote: every case found by the fuzzer and by hand against the
 * Confluent adapter. Bad input is `invalid-argument` with nothing sent; a server that redirects or
 * echoes credentials never gets the credentials out of the library.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ProvisionerEvent } from '../../../src/core/index.ts';
import { createConfluentProvisioner } from '../../../src/vendors/confluent/index.ts';
import { refused } from '../../support/refused.ts';
import { body, env, TOKEN } from './helpers.ts';

const fast = { retry: { initialDelayMs: 1, maxDelayMs: 2 } };

/** A loopback HTTP server answering every request with `handle`; closed when the test ends. */
async function server(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const requests: { method: string; url: string; authorization?: string }[] = [];
  const http = createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    });
    request.resume();
    request.on('end', () => handle(request, response));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests };
}

describe('Confluent: values nobody here wrote are refused before anything is sent', () => {
  it('refuses bad call options, keys, timeouts, headers and signals with invalid-argument', async () => {
    const { emulator, provisioner } = await env(fast);
    const cases: unknown[] = [
      null,
      5,
      'options',
      { idempotencyKey: 5 },
      { idempotencyKey: null },
      { idempotencyKey: '' },
      { idempotencyKey: '\ud800' },
      { timeoutMs: 0 },
      { timeoutMs: -1 },
      { timeoutMs: 2 ** 31 },
      { timeoutMs: 1e12 },
      { timeoutMs: '5000' },
      { timeoutMs: Number.NaN },
      { headers: 5 },
      { headers: 'x-trace: 1' },
      { headers: { 'a b': '1' } },
      { headers: { '': '1' } },
      { headers: { 'x-trace': 'a\r\nb' } },
      { headers: { 'x-trace': 5 } },
      { signal: {} },
      { signal: 'abort' },
      { maxRetries: -1 },
      { maxRetries: '2' },
      { timeout: 1000 },
    ];
    for (const options of cases) {
      const error = await refused(
        provisioner.create({ vendor: 'confluent', entitlement: body() }, options as never),
      );
      expect(error.kind, JSON.stringify(options)).toBe('invalid-argument');
      expect(error.message).toMatch(/options/);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  it('refuses bigints, functions, NaN and class instances anywhere in a request, naming where', async () => {
    const { emulator, provisioner } = await env(fast);
    for (const [patch, where] of [
      [{ name: 10n }, 'entitlement.name'],
      [{ organization: { id: 1n } }, 'entitlement.organization.id'],
      [{ name: () => 'x' }, 'entitlement.name'],
      [{ usage_reporting_id: Number.NaN }, 'entitlement.usage_reporting_id'],
      [{ name: new Date() }, 'entitlement.name'],
    ] as const) {
      const error = await refused(
        provisioner.create({ vendor: 'confluent', entitlement: { ...body(), ...patch } as never }),
      );
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain(where);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  it('refuses ids, organization ids and tokens with lone surrogates at once, without retrying', async () => {
    const { emulator, provisioner } = await env();
    await expect(provisioner.get({ vendor: 'confluent', id: 'ent-\ud800' })).rejects.toMatchObject({
      kind: 'invalid-argument',
      attempts: undefined,
    });
    await expect(
      provisioner.get({ vendor: 'confluent', id: 'ent-1', organizationId: '\udfff' }),
    ).rejects.toMatchObject({ kind: 'invalid-argument' });
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    const payload = JSON.parse(Buffer.from(operation.token.slice(4), 'base64url').toString('utf8'));
    const tampered = `ep1.${Buffer.from(JSON.stringify({ ...payload, id: 'ent-\ud800' }), 'utf8').toString('base64url')}`;
    const before = emulator.requests.length;
    await expect(provisioner.resume(tampered)).rejects.toMatchObject({ kind: 'invalid-argument' });
    await expect(provisioner.resume(operation.token, null as never)).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    expect(emulator.requests).toHaveLength(before);
  });

  it('refuses bad wait options, and a long wait deadline does not overflow the timer', async () => {
    const { provisioner } = await env();
    const operation = await provisioner.create({ vendor: 'confluent', entitlement: body() });
    for (const options of [
      null,
      { timeoutMs: '5000' },
      { timeoutMs: 0 },
      { onProgress: 1 },
      { polling: 5 },
    ]) {
      await expect(operation.wait(options as never)).rejects.toMatchObject({
        kind: 'invalid-argument',
        token: operation.token,
      });
    }
    // 30 days is longer than a timer can hold: it must mean 30 days, not 4 ms.
    const entitlement = await operation.wait({ timeoutMs: 30 * 24 * 60 * 60_000 });
    expect(entitlement.state).toBe('active');
  });

  it('refuses bad adapter options naming the option', () => {
    for (const [options, field] of [
      [undefined, 'options'],
      [null, 'options'],
      [{ credentials: { type: 'bearer', token: TOKEN }, timeoutMs: '1' }, 'timeoutMs'],
      [
        { credentials: { type: 'bearer', token: TOKEN }, retry: { initialDelayMs: -1 } },
        'retry.initialDelayMs',
      ],
      [{ credentials: { type: 'bearer', token: TOKEN }, fetch: 'fetch' }, 'fetch'],
      [{ credentials: { type: 'bearer', token: TOKEN }, onEvent: {} }, 'onEvent'],
      [{ credentials: { type: 'bearer', token: TOKEN }, baseUrl: 5 }, 'baseUrl'],
      [{ credentials: { type: 'bearer', token: TOKEN }, basUrl: 'https://x' }, 'basUrl'],
    ] as const) {
      expect(() => createConfluentProvisioner(options as never)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument', message: expect.stringContaining(field) }),
      );
    }
  });
});

describe('Confluent: servers nobody here wrote', () => {
  it('never follows a redirect: a POST is not re-sent, a GET not followed; the error names the Location', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const elsewhere = await server((_, response) => response.writeHead(201).end('{}'));
      const redirecting = await server((_, response) =>
        response.writeHead(status, { location: `${elsewhere.url}/partner/v2/entitlements/ent-1` }).end(),
      );
      const provisioner = createConfluentProvisioner({
        baseUrl: redirecting.url,
        credentials: { type: 'bearer', token: 'redirect-test-token' },
        ...fast,
      });
      const create = await refused(provisioner.create({ vendor: 'confluent', entitlement: body() }));
      expect(create).toMatchObject({ httpStatus: status, reason: 'REDIRECT', retryable: false });
      expect(create.message).toContain(elsewhere.url);
      const get = await refused(provisioner.get({ vendor: 'confluent', id: 'ent-1' }));
      expect(get).toMatchObject({ httpStatus: status, reason: 'REDIRECT' });
      expect(redirecting.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
      expect(elsewhere.requests).toHaveLength(0);
    }
  });

  it('refuses a response a custom fetch reached by following a redirect', async () => {
    const elsewhere = await server((_, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'ent-x' })),
    );
    const provisioner = createConfluentProvisioner({
      baseUrl: 'http://127.0.0.1:1',
      credentials: { type: 'bearer', token: 'redirect-test-token' },
      fetch: async (input) => {
        const request = input as Request;
        const response = await fetch(`${elsewhere.url}${new URL(request.url).pathname}`);
        Object.defineProperty(response, 'redirected', { value: true });
        return response;
      },
      ...fast,
    });
    const error = await refused(provisioner.get({ vendor: 'confluent', id: 'ent-1' }));
    expect(error).toMatchObject({ reason: 'REDIRECT', retryable: false });
  });

  it('keeps every secret out of errors, JSON, inspect and events when the server echoes it', async () => {
    const secrets = ['echo-api-key-1234', 'echo-api-secret-5678'];
    const echo = await server((request, response) => {
      const authorization = request.headers.authorization ?? '';
      const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
      response.writeHead(503, { 'content-type': 'application/json', 'x-request-id': authorization }).end(
        JSON.stringify({
          errors: [{ status: '503', code: 'echo', detail: `you sent ${authorization} (${decoded})` }],
        }),
      );
    });
    const events: ProvisionerEvent[] = [];
    const provisioner = createConfluentProvisioner({
      baseUrl: echo.url,
      credentials: { type: 'api-key', apiKey: secrets[0] as string, apiSecret: secrets[1] as string },
      onEvent: (event) => events.push(event),
      ...fast,
    });
    const error = await refused(provisioner.create({ vendor: 'confluent', entitlement: body() }));
    expect(error.kind).toBe('unavailable');
    expect(echo.requests.length).toBeGreaterThan(0);
    const basic = Buffer.from(`${secrets[0]}:${secrets[1]}`).toString('base64');
    const seen = [
      error.message,
      error.stack,
      error.requestId,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      JSON.stringify(events),
    ].join('\n');
    for (const secret of [...secrets, basic]) expect(seen).not.toContain(secret);
    expect(error.requestId).toContain('[REDACTED]');
  });

  it('keeps a token provider failure apart: unauthenticated, not retried, nothing sent', async () => {
    const { emulator } = await env();
    const provisioner = createConfluentProvisioner({
      baseUrl: emulator.url,
      credentials: {
        type: 'bearer',
        token: () => {
          throw new Error('vault is sealed');
        },
      },
    });
    const error = await refused(provisioner.create({ vendor: 'confluent', entitlement: body() }));
    expect(error).toMatchObject({ kind: 'unauthenticated', retryable: false, attempts: 1 });
    expect((error.cause as Error).message).toBe('vault is sealed');
    expect(error.message).toContain('credentials.token');
    expect(emulator.requests).toHaveLength(0);
  });
});
