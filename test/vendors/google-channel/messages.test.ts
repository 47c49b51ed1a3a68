/**
 * Cloud Channel error messages: one sentence of cause and one of action, the right advice for the
 * call that failed, host:port and cause for connection failures, a transport that does not match
 * the endpoint said as such (and not retried), and credential failures of google-auth-library
 * reproduced for real (missing file, malformed JSON, a token endpoint on 127.0.0.1 that refuses).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Code } from '../../../generated/google/channel.ts';
import { EntitlementError } from '../../../src/core/index.ts';
import {
  type ChannelCall,
  errorFromCall,
  errorFromOperationStatus,
} from '../../../src/vendors/google-channel/errors.ts';
import {
  createGoogleChannelProvisioner,
  type GoogleChannelCreateRequest,
  type GoogleChannelOptions,
} from '../../../src/vendors/google-channel/index.ts';
import { endpoint, env, OFFER_STARTER, VERIFIED } from './helpers.ts';

const SCOPE = 'https://www.googleapis.com/auth/apps.order';
const CREATE: GoogleChannelCreateRequest = {
  vendor: 'google-channel',
  parent: VERIFIED,
  entitlement: { offer: OFFER_STARTER },
};

/** What every message must not contain: glued fragments, library API names. */
function expectWellFormed(message: string): void {
  expect(message, 'no glued fragments').not.toMatch(/\.\s*:|:\s*:|:\s*$/);
  expect(message, 'no library API names').not.toMatch(/resume\(|pass \{|\(token\)|\bnew [A-Z]/);
  expect(message, 'ends a sentence').toMatch(/\.$/);
  expect(message, 'starts a sentence').toMatch(/^[A-Z]/);
}

async function failure(promise: Promise<unknown>): Promise<EntitlementError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EntitlementError);
  expectWellFormed((error as EntitlementError).message);
  return error as EntitlementError;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function status(code: number, details: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${code} ${details}`), { code, details, ...extra });
}

describe('errorFromCall: one sentence of cause, one of action, advice that fits the call', () => {
  const calls: ChannelCall[] = ['create', 'get', 'poll', 'cancel'];
  const codes = Object.entries(Code).filter(([name]) => name !== 'OK');

  it('every code and call gives a well-formed message naming the code', () => {
    for (const call of calls)
      for (const [name, code] of codes) {
        const error = errorFromCall(status(code, 'The vendor said so.'), {
          call,
          attempts: 1,
          endpoint: 'cloudchannel.googleapis.com:443',
          transport: 'grpc',
          operationName: 'operations/1',
        });
        expectWellFormed(error.message);
        expect(error.message, `${call} ${name}`).toContain(name);
        expect(error.message).toContain('The vendor said so.');
        expect(error.grpcCode).toBe(code);
        expect(error.cause).toBeInstanceOf(Error);
      }
  });

  it('never glues the vendor message and the reason ("…was not found.: reason X: …")', () => {
    const error = errorFromCall(status(Code.NOT_FOUND, 'Entitlement x was not found.', { reason: 'GONE' }), {
      call: 'get',
      attempts: 1,
    });
    expect(error.message).toBe(
      'Cloud Channel answered the read of the entitlement with NOT_FOUND (GONE): Entitlement x was not found. Check the name: no entitlement has that name (accounts/{account}/customers/{customer}/entitlements/{entitlement}).',
    );
  });

  it('"SKU already purchased" says to read the existing entitlement, not to change an email', () => {
    const sku = errorFromCall(
      status(Code.ALREADY_EXISTS, 'The SKU was already purchased for the customer.'),
      {
        call: 'create',
        attempts: 1,
      },
    );
    expect(sku.message).toMatch(/read that entitlement instead of buying it again/);
    expect(sku.message).not.toMatch(/e-?mail/i);
    const email = errorFromCall(status(Code.ALREADY_EXISTS, "The customer's primary email already exists."), {
      call: 'create',
      attempts: 1,
    });
    expect(email.message).toMatch(/primary contact email is already in use: change it/);
  });

  it('a failed read or poll never claims that creates are idempotent', () => {
    for (const call of ['get', 'poll', 'cancel'] as const)
      for (const code of [Code.UNAVAILABLE, Code.INTERNAL, Code.DEADLINE_EXCEEDED]) {
        const error = errorFromCall(status(code, 'oops'), { call, attempts: 3 });
        expect(error.message, `${call} ${code}`).not.toMatch(/request_id|idempotent|create/i);
        expect(error.message).toMatch(/retry/);
      }
    const create = errorFromCall(status(Code.UNAVAILABLE, 'oops'), { call: 'create', attempts: 3 });
    expect(create.message).toMatch(/request_id makes Cloud Channel return the same operation/);
  });

  it('a failed operation says nothing was bought, and how to try again', () => {
    const error = errorFromOperationStatus(
      { code: Code.INTERNAL, message: 'backend exploded' },
      'operations/7',
      'ep1.token',
    );
    expectWellFormed(error.message);
    expect(error.message).toBe(
      'Cloud Channel operation operations/7 failed with INTERNAL: backend exploded. The purchase failed, so nothing was bought: create again with a new idempotency key if it is still wanted, and contact Cloud Channel support if it keeps failing.',
    );
    expect(error).toMatchObject({ kind: 'operation-failed', retryable: false, token: 'ep1.token' });
  });
});

describe('Cloud Channel failures through the adapter, as a user meets them', () => {
  for (const transport of ['grpc', 'rest'] as const) {
    it(`a refused connection names host:port and the cause (${transport})`, async () => {
      const port = await closedPort();
      const provisioner = createGoogleChannelProvisioner({
        transport,
        apiEndpoint: '127.0.0.1',
        port,
        insecure: true,
        maxRetries: 0,
      });
      onTestFinished(() => provisioner.close());
      const error = await failure(provisioner.create(CREATE));
      expect(error.kind).toBe('unavailable');
      expect(error.message).toContain(`127.0.0.1:${port} refused the connection (ECONNREFUSED)`);
      expect(error.message).toMatch(/Check the endpoint/);
      expect(error.cause).toBeDefined();
    });
  }

  it('--transport rest at a gRPC port: the endpoint does not speak REST, choose grpc; not retried', async () => {
    const { emulator } = await env('rest');
    const mismatched = createGoogleChannelProvisioner({
      ...endpoint(emulator, 'grpc'),
      transport: 'rest',
      maxRetries: 2,
    });
    onTestFinished(() => mismatched.close());
    const error = await failure(mismatched.create(CREATE));
    expect(error).toMatchObject({ kind: 'unavailable', retryable: false, attempts: 1 });
    expect(error.message).toContain(`127.0.0.1:${emulator.grpcAddress.port} did not answer in HTTP/1.1`);
    expect(error.message).toMatch(/does not speak the REST transport.*choose the grpc transport/);
    expect(error.message).not.toMatch(/Parse Error/);
  });

  it('the gRPC transport at a REST port: the endpoint does not speak gRPC, choose rest; not retried', async () => {
    const { emulator } = await env('grpc');
    const mismatched = createGoogleChannelProvisioner({
      ...endpoint(emulator, 'rest'),
      transport: 'grpc',
      maxRetries: 2,
    });
    onTestFinished(() => mismatched.close());
    const error = await failure(mismatched.create(CREATE));
    expect(error).toMatchObject({ kind: 'unavailable', retryable: false, attempts: 1 });
    expect(error.message).toMatch(/did not answer in HTTP\/2, so it does not speak the gRPC transport/);
    expect(error.message).toMatch(/choose the rest transport/);
  });

  it('a failed get says what to do for a read', async () => {
    const { emulator, provisioner } = await env('grpc', { maxRetries: 0 });
    emulator.inject({ type: 'unavailable', method: 'GetEntitlement' });
    const error = await failure(
      provisioner.get({ vendor: 'google-channel', name: `${VERIFIED}/entitlements/x` }),
    );
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/reading changes nothing/);
    expect(error.message).not.toMatch(/idempotent|request_id/);
  });

  it('the same SKU twice: read the existing entitlement (no email advice)', async () => {
    const { provisioner, customer } = await env('grpc');
    const parent = customer();
    await (await provisioner.create({ ...CREATE, parent })).wait();
    const error = await failure(provisioner.create({ ...CREATE, parent }));
    expect(error.kind).toBe('already-exists');
    expect(error.message).toMatch(/SKU_ALREADY_PURCHASED/);
    expect(error.message).toMatch(/read that entitlement instead of buying it again/);
    expect(error.message).not.toMatch(/e-?mail/i);
  });
});

// ---------------------------------------------------------------------------------------------
// Credentials, through google-auth-library, on loopback only

describe('Cloud Channel credential failures are unauthenticated, not retried, and name what to fix', () => {
  let dir: string;
  const servers: { close(): void }[] = [];

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function tmp(name: string, content: string): Promise<string> {
    dir ??= await mkdtemp(path.join(os.tmpdir(), 'channel-credentials-'));
    const file = path.join(dir, name);
    await writeFile(file, content);
    return file;
  }

  /** An ADC file of type external_account whose token endpoint is `tokenUrl` (on 127.0.0.1). */
  async function externalAccount(name: string, tokenUrl: string): Promise<string> {
    const subject = await tmp(`${name}.subject`, 'a-subject-token');
    return tmp(
      `${name}.json`,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: tokenUrl,
        credential_source: { file: subject },
      }),
    );
  }

  /** A provisioner using Application Default Credentials (no `insecure`), at a closed loopback port. */
  async function provisioner(transport: GoogleChannelOptions['transport']) {
    const created = createGoogleChannelProvisioner({
      transport,
      apiEndpoint: '127.0.0.1',
      port: await closedPort(),
      maxRetries: 2,
    });
    onTestFinished(() => created.close());
    return created;
  }

  async function credentialFailure(transport: 'grpc' | 'rest'): Promise<EntitlementError> {
    const printed = vi.spyOn(console, 'error');
    const error = await failure((await provisioner(transport)).create(CREATE));
    expect(error).toMatchObject({ kind: 'unauthenticated', retryable: false, attempts: 1 });
    expect(error.message).toContain(SCOPE);
    expect(error.cause).toBeInstanceOf(Error);
    // google-auth-library's stack is kept as the cause, never printed.
    expect(printed).not.toHaveBeenCalled();
    return error;
  }

  for (const transport of ['grpc', 'rest'] as const) {
    it(`GOOGLE_APPLICATION_CREDENTIALS at a missing file (${transport})`, async () => {
      const missing = path.join(os.tmpdir(), `no-such-credentials-${process.pid}.json`);
      vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', missing);
      const error = await credentialFailure(transport);
      expect(error.message).toContain(
        `GOOGLE_APPLICATION_CREDENTIALS names ${missing}, which does not exist`,
      );
      expect((error.cause as Error).message).toContain(missing);
    });

    it(`an ADC file that is not JSON (${transport})`, async () => {
      const file = await tmp(`malformed-${transport}.json`, '{ "type": "service_account", ');
      vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
      const error = await credentialFailure(transport);
      expect(error.message).toContain(
        `GOOGLE_APPLICATION_CREDENTIALS names ${file}, which is not valid JSON`,
      );
    });
  }

  // Over gRPC the token is fetched only once a TLS connection is up; over REST before the request.
  it('a token endpoint on 127.0.0.1 that refuses the connection (refresh failure)', async () => {
    const port = await closedPort();
    const file = await externalAccount('refused', `http://127.0.0.1:${port}/token`);
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
    const error = await credentialFailure('rest');
    expect(error.message).toContain(
      `could not be refreshed: the token endpoint 127.0.0.1:${port} refused the connection (ECONNREFUSED)`,
    );
    expect(error.message).toContain(`GOOGLE_APPLICATION_CREDENTIALS=${file}`);
  });

  it('a token endpoint on 127.0.0.1 that answers 400 invalid_grant (refresh failure)', async () => {
    let tokenRequests = 0;
    const server = createHttpServer((_req, res) => {
      tokenRequests++;
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid subject token.' }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const file = await externalAccount('denied', `http://127.0.0.1:${port}/token`);
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
    const error = await credentialFailure('rest');
    expect(error.message).toContain(`the token endpoint 127.0.0.1:${port} answered HTTP 400 invalid_grant`);
    expect(tokenRequests).toBeGreaterThan(0);
  });

  it('a service-account file is parsed and used (positive control: the same path without a fault)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = await tmp(
      'service-account.json',
      JSON.stringify({
        type: 'service_account',
        project_id: 'p',
        private_key_id: 'k',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: 'reseller@p.iam.gserviceaccount.com',
        client_id: '1',
      }),
    );
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
    // The file loads (no credentials error at stub creation); the call then fails on the closed port
    // (or the TLS handshake), which is a connection failure, not a credentials one.
    const error = await failure((await provisioner('grpc')).create(CREATE));
    expect(error.kind).toBe('unavailable');
    expect(error.message).not.toMatch(/credentials/);
  });
});

describe('quota refusals', () => {
  it('a 403 with reason rateLimitExceeded is rate-limited (retryable), as RESOURCE_EXHAUSTED is', async () => {
    const { errorFromCall } = await import('../../../src/vendors/google-channel/errors.ts');
    const refused = errorFromCall(
      {
        code: Code.PERMISSION_DENIED,
        reason: 'rateLimitExceeded',
        message: 'Quota exceeded for quota metric',
      },
      { call: 'create', attempts: 1 },
    );
    expect(refused).toMatchObject({
      kind: 'rate-limited',
      retryable: true,
      grpcCode: Code.PERMISSION_DENIED,
    });
    const denied = errorFromCall(
      { code: Code.PERMISSION_DENIED, message: 'The caller does not have permission' },
      { call: 'create', attempts: 1 },
    );
    expect(denied).toMatchObject({ kind: 'permission-denied', retryable: false });
  });
});
