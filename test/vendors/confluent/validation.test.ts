import { execFile } from 'node:child_process';
import { inspect, promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import spec from '../../../generated/confluent/openapi.json' with { type: 'json' };
import { operationShapes } from '../../../generated/confluent/shapes.ts';
import type { ProvisionerEvent } from '../../../src/core/index.ts';
import { createOperationValidator } from '../../../src/openapi/compile-validators.ts';
import {
  type ConfluentEntitlementInput,
  createConfluentProvisioner,
} from '../../../src/vendors/confluent/index.ts';
import { createValidator, getValidator } from '../../../src/vendors/confluent/validation.ts';
import { body, env } from './helpers.ts';

const run = promisify(execFile);

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

describe('the validators compiled at generate time', () => {
  const doc = spec as Record<string, unknown>;
  const runtime = {
    create: createOperationValidator(doc, 'createPartnerV2Entitlement'),
    get: createOperationValidator(doc, 'getPartnerV2Entitlement'),
  };
  const fields = operationShapes.createPartnerV2Entitlement.requestBody.schema.properties;
  const required = operationShapes.createPartnerV2Entitlement.requestBody.schema.required;

  /** Valid and invalid bodies built from the generated request shape. */
  function corpus(): unknown[] {
    const valid: Record<string, unknown> = { ...body(), organization: { id: 'org-1', environment: 'env-1' } };
    const bodies: unknown[] = [valid, {}, null, [], 'text', { ...valid, unknown_field: 1 }];
    for (const plan of fields.plan_id.enum) bodies.push({ ...valid, plan_id: plan });
    bodies.push({ ...valid, plan_id: `${fields.plan_id.enum[0]}-not-listed` });
    for (const name of required) {
      const { [name]: _dropped, ...rest } = valid;
      bodies.push(rest, { ...valid, [name]: 42 }, { ...valid, [name]: null });
    }
    // Lengths count code points: 255 emoji (510 UTF-16 units) fit in maxLength 255, 256 do not.
    bodies.push(
      { ...valid, organization: { id: '😀'.repeat(255) } },
      { ...valid, organization: { id: '😀'.repeat(256) } },
      { ...valid, organization: { id: '' } },
      { ...valid, organization: {} },
    );
    return bodies;
  }

  it('answer exactly like validators compiled now from the same document', () => {
    const bodies = corpus();
    let refused = 0;
    for (const value of bodies) {
      const generated = createValidator.validateBody(value);
      expect(generated, JSON.stringify(value)).toEqual(runtime.create.validateBody(value));
      if (generated.length > 0) refused++;
    }
    expect(refused).toBeGreaterThan(bodies.length / 2);
    expect(refused).toBeLessThan(bodies.length);
    for (const query of [{}, { 'organization.id': 'org-1' }, { 'organization.id': 5 }, { other: 'x' }]) {
      const values = { path: { id: 'ent-1' }, query };
      expect(getValidator.validateParameters(values)).toEqual(runtime.get.validateParameters(values));
    }
  });

  it('load no JSON-schema compiler when the adapter is imported', async () => {
    const hook = [
      'import { registerHooks } from "node:module";',
      'registerHooks({ resolve(specifier, context, next) {',
      '  const result = next(specifier, context);',
      '  if (/node_modules\\/ajv/.test(result.url)) console.log(result.url.replace(/.*node_modules\\//, ""));',
      '  return result;',
      '} });',
    ].join('\n');
    const { stdout } = await run(process.execPath, [
      '--import',
      `data:text/javascript,${encodeURIComponent(hook)}`,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(new URL('../../../src/vendors/confluent/index.ts', import.meta.url).href)});`,
    ]);
    const loaded = stdout.split('\n').filter(Boolean);
    // Only ajv's small runtime helpers (string length, formats), never ajv itself.
    for (const module of loaded) expect(module).toMatch(/^ajv\/dist\/runtime\/|^ajv-formats\/dist\/formats/);
    expect(loaded).not.toContain('ajv/dist/ajv.js');
  });
});

describe('what the adapter reads', () => {
  it('takes a plan and a product id the spec does not list yet (the lists are open for reads)', async () => {
    const listed = operationShapes.createPartnerV2Entitlement.requestBody.schema.properties.plan_id.enum;
    const resource = {
      id: 'ent-1',
      external_id: 'ext-1',
      name: 'Acme',
      plan_id: 'confluent-cloud-plan-added-later',
      product_id: 'confluent-cloud-product-added-later',
    };
    expect(listed).not.toContain(resource.plan_id);
    let requests = 0;
    const provisioner = createConfluentProvisioner({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { type: 'bearer', token: 't' },
      fetch: async () => {
        requests++;
        return new Response(JSON.stringify(resource), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    });
    const read = await provisioner.get({ vendor: 'confluent', id: 'ent-1' });
    expect(requests).toBe(1);
    expect(read).toMatchObject({ plan: resource.plan_id, product: resource.product_id, raw: resource });
  });
});
