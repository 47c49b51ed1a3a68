/**
 * The Confluent emulator against the vendor's OpenAPI document, over plain `fetch` (no adapter):
 * every status it answers, its headers, the shapes of its bodies, faults, the request log,
 * reset() and close().
 */
import { Agent, request as httpRequest } from 'node:http';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import spec from '../../generated/confluent/openapi.json' with { type: 'json' };
import { operationShapes } from '../../generated/confluent/shapes.ts';
import { isObject, type JsonObject } from '../../src/openapi/json-pointer.ts';
import { findOperation, locate } from '../../src/openapi/operation-schemas.ts';
import {
  type ConfluentEmulator,
  type ConfluentEmulatorClock,
  type ConfluentEmulatorOptions,
  DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
  startConfluentEmulator,
} from '../../src/testing/index.ts';

// ---------------------------------------------------------------------------------------------
// The vendor's response schemas, compiled from the document (response view: readOnly fields that
// are `required` are required here).

type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (formats as unknown as { default?: FormatsPlugin }).default ?? (formats as unknown as FormatsPlugin);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

type OperationId = keyof typeof operationShapes;

const validators = new Map<string, ValidateFunction>();
function responseSchema(operationId: OperationId, status: number): ValidateFunction {
  const doc = spec as JsonObject;
  const operation = findOperation(doc, operationId);
  const response = operation && locate(doc, (operation.operation.responses as JsonObject)[status], '');
  if (!operation || !response) throw new Error(`${operationId} documents no ${status} response`);
  // Behind the response's $ref, or inline in the operation.
  const at = response.pointer === '' ? `${operation.pointer}/responses/${status}` : response.pointer;
  const pointer = `openapi${at}/content/application~1json/schema`;
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: pointer });
    validators.set(pointer, validate);
  }
  return validate;
}

/** Asserts that `body` is valid for the operation's documented response `status`. */
function expectSpecBody(operationId: OperationId, status: number, body: unknown): void {
  const validate = responseSchema(operationId, status);
  const valid = validate(body);
  expect(validate.errors ?? [], JSON.stringify(body)).toEqual([]);
  expect(valid).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const TOKEN = DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token;
const BEARER = { Authorization: `Bearer ${TOKEN}` };
const JSON_HEADERS = { ...BEARER, 'Content-Type': 'application/json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// Values the spec lists, read from generated/ (another edition of the spec may list others).
const REQUEST = operationShapes.createPartnerV2Entitlement.requestBody.schema.properties;
const RESOURCE = operationShapes.getPartnerV2Entitlement.responses['200'].properties;
const PLAN = REQUEST.plan_id.enum[0];
const PRODUCT = REQUEST.product_id.enum[0];

function entitlementRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_id: 'ext-0001',
    name: 'Acme Prod Entitlement',
    plan_id: PLAN,
    product_id: PRODUCT,
    ...overrides,
  };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(
  emu: ConfluentEmulator,
  path: string,
  init: RequestInit = {},
): Promise<Answer & { body: { [key: string]: unknown } & { errors: { [key: string]: unknown }[] } }> {
  const res = await fetch(`${emu.url}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, body: json as never };
}

function create(
  emu: ConfluentEmulator,
  body: unknown = entitlementRequest(),
  headers: Record<string, string> = JSON_HEADERS,
) {
  return call(emu, '/partner/v2/entitlements', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function read(emu: ConfluentEmulator, id: string, query = '', headers: Record<string, string> = BEARER) {
  return call(emu, `/partner/v2/entitlements/${encodeURIComponent(id)}${query}`, { headers });
}

function basic(key: string, secret: string): Record<string, string> {
  return {
    Authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`,
    'Content-Type': 'application/json',
  };
}

/** The `source` of every error in a vendor error body. */
function sources(answer: { body: { errors: { source?: unknown }[] } }): unknown[] {
  return answer.body.errors.map((error) => error.source);
}

let emu: ConfluentEmulator;
const extra: ConfluentEmulator[] = [];

async function start(options?: ConfluentEmulatorOptions): Promise<ConfluentEmulator> {
  const started = await startConfluentEmulator(options);
  extra.push(started);
  return started;
}

beforeEach(async () => {
  emu = await startConfluentEmulator();
});

afterEach(async () => {
  await emu.close();
  await Promise.all(extra.splice(0).map((other) => other.close()));
});

// ---------------------------------------------------------------------------------------------

describe('create (POST /partner/v2/entitlements)', () => {
  it('answers 201 with Location, X-Request-Id and a body valid against the 201 schema', async () => {
    const request = entitlementRequest({
      usage_reporting_id: 'usage-1',
      resource_id: 'res-1',
      organization: { id: 'org-1', environment: 'env-1' },
    });
    const answer = await create(emu, request);

    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    const location = answer.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${emu.url}/partner/v2/entitlements/ent-[0-9a-z]{8}$`));
    expectSpecBody('createPartnerV2Entitlement', 201, answer.json);

    const body = answer.body as unknown as {
      id: string;
      metadata: Record<string, string>;
      organization: Record<string, string>;
    };
    expect(body).toMatchObject({
      api_version: RESOURCE.api_version.enum[0],
      kind: RESOURCE.kind.enum[0],
      ...request,
    });
    expect(location).toBe(`${emu.url}/partner/v2/entitlements/${body.id}`);
    expect(body.metadata.self).toBe(location);
    expect(body.metadata.resource_name).toBe(
      `crn://confluent.cloud/organization=org-1/entitlement=${body.id}`,
    );
    expect(body.metadata.created_at).toMatch(RFC3339_UTC);
    expect(body.metadata.updated_at).toBe(body.metadata.created_at);
    expect(body.organization).toEqual({
      id: 'org-1',
      environment: 'env-1',
      related: `${emu.url}/org/v2/organizations/org-1`,
      resource_name: 'crn://confluent.cloud/organization=org-1',
    });
    expect(emu.entitlements()).toEqual([answer.json]);
    expect(emu.requests.map((r) => [r.operationId, r.status, r.requestId])).toEqual([
      ['createPartnerV2Entitlement', 201, answer.headers.get('x-request-id')],
    ]);
  });

  it('without an organization, uses the default organization in resource_name and sends no organization', async () => {
    const answer = await create(emu);
    expect(answer.status).toBe(201);
    expectSpecBody('createPartnerV2Entitlement', 201, answer.json);
    expect(answer.body.organization).toBeUndefined();
    expect((answer.body.metadata as { resource_name: string }).resource_name).toBe(
      `crn://confluent.cloud/organization=default/entitlement=${answer.body.id}`,
    );
  });

  it('keeps Location and metadata.self valid URIs for ids that need escaping', async () => {
    const answer = await create(
      emu,
      entitlementRequest({ organization: { id: 'org with spaces/and/slashes' } }),
    );
    expect(answer.status).toBe(201);
    expectSpecBody('createPartnerV2Entitlement', 201, answer.json);
  });

  it('accepts a Cloud API key over Basic authentication', async () => {
    const { apiKey, apiSecret } = DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS;
    const answer = await create(emu, entitlementRequest(), basic(apiKey, apiSecret));
    expect(answer.status).toBe(201);
  });

  it('uses locationOrigin for Location, metadata.self and related', async () => {
    const foreign = await start({ locationOrigin: 'https://api.confluent.cloud' });
    const answer = await create(foreign, entitlementRequest({ organization: { id: 'o' } }));
    expect(answer.status).toBe(201);
    expect(foreign.locationOrigin).toBe('https://api.confluent.cloud');
    const location = answer.headers.get('location');
    expect(location).toBe(`https://api.confluent.cloud/partner/v2/entitlements/${answer.body.id}`);
    expect((answer.body.metadata as { self: string }).self).toBe(location);
    expect((answer.body.organization as { related: string }).related).toBe(
      'https://api.confluent.cloud/org/v2/organizations/o',
    );
    expectSpecBody('createPartnerV2Entitlement', 201, answer.json);
    expect((await read(foreign, String(answer.body.id))).status).toBe(200);
  });
});

describe('400 Bad Request', () => {
  const cases: [string, unknown, string[]][] = [
    ['a value outside an enum', entitlementRequest({ plan_id: 'gold' }), ['/plan_id']],
    ['a missing required field', { ...entitlementRequest(), name: undefined }, ['/name']],
    [
      'an over-long organization.id',
      entitlementRequest({ organization: { id: 'o'.repeat(256) } }),
      ['/organization/id'],
    ],
    ['an unknown field', entitlementRequest({ color: 'red' }), ['/color']],
    ['a wrong type', entitlementRequest({ external_id: 42 }), ['/external_id']],
    [
      'several problems at once',
      { name: 'x', plan_id: 'gold', product_id: PRODUCT },
      ['/external_id', '/plan_id'],
    ],
  ];

  it.each(cases)(
    'for %s: one invalid_input error per problem with source.pointer',
    async (_, body, pointers) => {
      const answer = await create(emu, body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
      expectSpecBody('createPartnerV2Entitlement', 400, answer.json);
      expect(sources(answer).sort()).toEqual(pointers.map((pointer) => ({ pointer })).sort());
      for (const error of answer.body.errors) {
        expect(error).toMatchObject({ status: '400', code: 'invalid_input' });
        expect(error.detail).toEqual(
          expect.stringContaining(String((error.source as { pointer: string }).pointer)),
        );
      }
      expect(emu.entitlements()).toEqual([]);
    },
  );

  it('for a body that is not JSON', async () => {
    const answer = await create(emu, '{"external_id": ');
    expect(answer.status).toBe(400);
    expectSpecBody('createPartnerV2Entitlement', 400, answer.json);
    expect(answer.body.errors).toMatchObject([
      { status: '400', code: 'malformed_request', source: { pointer: '/' } },
    ]);
    expect(emu.requests[0]?.body).toBe('{"external_id": ');
  });

  it('for a JSON body sent with another Content-Type', async () => {
    const answer = await create(emu, entitlementRequest(), { ...BEARER, 'Content-Type': 'text/plain' });
    expect(answer.status).toBe(400);
    expectSpecBody('createPartnerV2Entitlement', 400, answer.json);
    expect(answer.body.errors[0]?.detail).toContain('text/plain');
    expect(emu.entitlements()).toEqual([]);
  });

  it('for a missing body', async () => {
    const answer = await call(emu, '/partner/v2/entitlements', { method: 'POST', headers: JSON_HEADERS });
    expect(answer.status).toBe(400);
    expect(sources(answer)).toEqual([{ pointer: '/' }]);
  });

  it('for an unknown query parameter, with source.parameter', async () => {
    const created = await create(emu);
    const answer = await read(emu, String(created.body.id), '?num_doors=4');
    expect(answer.status).toBe(400);
    expectSpecBody('getPartnerV2Entitlement', 400, answer.json);
    expect(answer.body.errors).toMatchObject([
      { status: '400', code: 'invalid_filter', source: { parameter: 'num_doors' } },
    ]);
  });

  it('for a repeated organization.id', async () => {
    const answer = await read(emu, 'ent-00000000', '?organization.id=a&organization.id=b');
    expect(answer.status).toBe(400);
    expect(sources(answer)).toEqual([{ parameter: 'organization.id' }]);
  });
});

describe('read (GET /partner/v2/entitlements/{id})', () => {
  it('answers 200 with the stored entitlement, valid against the 200 schema', async () => {
    const created = await create(emu, entitlementRequest({ organization: { id: 'org-1' } }));
    const answer = await read(emu, String(created.body.id));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expect(answer.headers.get('x-request-id')).not.toBe(created.headers.get('x-request-id'));
    expectSpecBody('getPartnerV2Entitlement', 200, answer.json);
    expect(answer.json).toEqual(created.json);
  });

  it('answers 200 when organization.id matches the entitlement', async () => {
    const created = await create(emu, entitlementRequest({ organization: { id: 'org-1' } }));
    expect((await read(emu, String(created.body.id), '?organization.id=org-1')).status).toBe(200);
  });

  it('answers 404 when organization.id names another organization', async () => {
    const created = await create(emu, entitlementRequest({ organization: { id: 'org-1' } }));
    const answer = await read(emu, String(created.body.id), '?organization.id=org-2');
    expect(answer.status).toBe(404);
    expectSpecBody('getPartnerV2Entitlement', 404, answer.json);
    const unscoped = await create(emu, entitlementRequest({ external_id: 'no-org' }));
    expect((await read(emu, String(unscoped.body.id), '?organization.id=org-1')).status).toBe(404);
  });

  it('answers 404 for an unknown id', async () => {
    const answer = await read(emu, 'ent-doesnotexist');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expectSpecBody('getPartnerV2Entitlement', 404, answer.json);
    expect(answer.body.errors).toMatchObject([{ status: '404', title: 'Not Found' }]);
  });
});

describe('routing', () => {
  it('answers 404 in the vendor shape for an unknown path', async () => {
    const answer = await call(emu, '/partner/v2/nothing', { headers: BEARER });
    expect(answer.status).toBe(404);
    expectSpecBody('getPartnerV2Entitlement', 404, answer.json);
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const answer = await call(emu, '/partner/v2/entitlements', { method: 'DELETE', headers: BEARER });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body.errors).toMatchObject([{ status: '405', code: 'method_not_allowed' }]);
    expectSpecBody('getPartnerV2Entitlement', 500, answer.json); // the shared Failure shape
  });
});

describe('authentication and scopes', () => {
  it.each([
    ['missing', {}],
    ['an unknown bearer token', { Authorization: 'Bearer not-the-token' }],
    ['a wrong API secret', basic('emulator-key', 'wrong')],
    ['a malformed Basic value', { Authorization: 'Basic %%%' }],
    ['an unknown scheme', { Authorization: `Token ${TOKEN}` }],
  ])('answers 401 with WWW-Authenticate when credentials are %s', async (_, headers) => {
    const answer = await create(emu, entitlementRequest(), {
      'Content-Type': 'application/json',
      ...headers,
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/Bearer realm=/);
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expectSpecBody('createPartnerV2Entitlement', 401, answer.json);
    expect(answer.body.errors).toMatchObject([{ status: '401', code: 'user_unauthenticated' }]);
    expect(emu.entitlements()).toEqual([]);
  });

  it('answers 401 on GET too, before revealing whether the entitlement exists', async () => {
    const answer = await read(emu, 'ent-doesnotexist', '', { Authorization: 'Bearer nope' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expectSpecBody('getPartnerV2Entitlement', 401, answer.json);
  });

  it("answers 403 when the credential lacks the operation's scope from the spec's security", async () => {
    const scoped = await start({
      credentials: [
        { token: 'reader', scopes: ['partner:describe'] },
        { apiKey: 'writer', apiSecret: 's3cret', scopes: ['partner:create'] },
      ],
    });
    const denied = await create(scoped, entitlementRequest(), {
      ...JSON_HEADERS,
      Authorization: 'Bearer reader',
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-request-id')).toMatch(UUID);
    expectSpecBody('createPartnerV2Entitlement', 403, denied.json);
    expect(denied.body.errors).toMatchObject([{ status: '403', code: 'user_unauthorized' }]);
    expect(denied.body.errors[0]?.detail).toContain('partner:create');
    expect(scoped.entitlements()).toEqual([]);

    const created = await create(scoped, entitlementRequest(), basic('writer', 's3cret'));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await read(scoped, id, '', { Authorization: 'Bearer reader' })).status).toBe(200);
    const forbiddenRead = await read(scoped, id, '', basic('writer', 's3cret'));
    expect(forbiddenRead.status).toBe(403);
    expectSpecBody('getPartnerV2Entitlement', 403, forbiddenRead.json);
    expect(forbiddenRead.body.errors[0]?.detail).toContain('partner:describe');
  });

  it('no longer accepts the default credentials when others are configured', async () => {
    const custom = await start({ credentials: [{ token: 'only-this' }] });
    expect((await create(custom)).status).toBe(401);
    expect(
      (await create(custom, entitlementRequest(), { ...JSON_HEADERS, Authorization: 'Bearer only-this' }))
        .status,
    ).toBe(201);
  });
});

describe('409 Conflict', () => {
  it('refuses a second entitlement with the same external_id, pointing Location at the first', async () => {
    const first = await create(emu, entitlementRequest({ organization: { id: 'org-1' } }));
    const second = await create(
      emu,
      entitlementRequest({ organization: { id: 'org-1' }, name: 'Other name' }),
    );
    expect(second.status).toBe(409);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expectSpecBody('createPartnerV2Entitlement', 409, second.json);
    expect(second.body.errors).toMatchObject([{ status: '409', code: 'resource_already_exists' }]);
    expect(emu.entitlements()).toEqual([first.json]);
  });

  it('scopes uniqueness to organization.id', async () => {
    expect((await create(emu, entitlementRequest({ organization: { id: 'org-1' } }))).status).toBe(201);
    expect((await create(emu, entitlementRequest({ organization: { id: 'org-2' } }))).status).toBe(201);
    expect((await create(emu, entitlementRequest())).status).toBe(201);
    expect((await create(emu, entitlementRequest())).status).toBe(409);
    expect(emu.entitlements()).toHaveLength(3);
  });
});

describe('faults', () => {
  it('latency delays the answer by ms of the clock, then processes normally', async () => {
    const time = manualClock(Date.now());
    const slow = await start({ clock: time.clock });
    slow.inject({ type: 'latency', ms: 250 });
    const pending = create(slow);
    expect(await time.nextSleep()).toBe(250);
    time.advance(250);
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(slow.requests[0]?.fault).toBe('latency');

    expect(slow.pendingFaults).toEqual([]); // consumed: times defaults to 1
    expect((await read(slow, String(answer.body.id))).status).toBe(200);
    expect(slow.requests.map((r) => r.fault)).toEqual(['latency', undefined]);
  });

  it('status 503 with the vendor JSON body, without processing', async () => {
    emu.inject({ type: 'status', status: 503 });
    const answer = await create(emu);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expectSpecBody('createPartnerV2Entitlement', 500, answer.json); // the Failure shape
    expect(answer.body.errors).toMatchObject([{ status: '503' }]);
    expect(emu.entitlements()).toEqual([]);
  });

  it('status 503 with an empty body', async () => {
    emu.inject({ type: 'status', status: 503, body: 'empty' });
    const answer = await create(emu);
    expect(answer.status).toBe(503);
    expect(answer.text).toBe('');
    expect(answer.headers.get('content-type')).toBeNull();
    expect(emu.entitlements()).toEqual([]);
  });

  it('status 503 with an HTML page', async () => {
    emu.inject({ type: 'status', status: 503, body: 'html' });
    const answer = await create(emu);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toBe('text/html');
    expect(answer.text).toContain('<html>');
    expect(answer.json).toBeUndefined();
    expect(emu.entitlements()).toEqual([]);
  });

  it('reset makes fetch fail and stores nothing', async () => {
    emu.inject({ type: 'reset' });
    await expect(create(emu)).rejects.toThrow(TypeError);
    expect(emu.entitlements()).toEqual([]);
    expect(emu.requests).toMatchObject([{ fault: 'reset', status: undefined }]);
    expect((await create(emu)).status).toBe(201); // the next request is normal
  });

  it('drop-after-commit makes fetch fail but stores exactly one entitlement', async () => {
    emu.inject({ type: 'drop-after-commit' });
    await expect(create(emu)).rejects.toThrow(TypeError);
    expect(emu.entitlements()).toHaveLength(1);
    expect(emu.entitlements()[0]).toMatchObject({ external_id: 'ext-0001' });
    expect(emu.requests).toMatchObject([{ fault: 'drop-after-commit', status: undefined }]);

    // The naive retry meets the entitlement it already created.
    const retry = await create(emu);
    expect(retry.status).toBe(409);
    expect(retry.headers.get('location')).toBe(
      `${emu.url}/partner/v2/entitlements/${emu.entitlements()[0]?.id}`,
    );
    expect(emu.entitlements()).toHaveLength(1);
  });

  it('applies only to matching requests, `times` times, in injection order', async () => {
    emu.inject({ type: 'status', status: 500, match: { operationId: 'getPartnerV2Entitlement' }, times: 2 });
    emu.inject({ type: 'status', status: 502, match: { method: 'post' } });
    emu.inject({ type: 'status', status: 504 });
    expect(emu.pendingFaults.map((f) => f.remaining)).toEqual([2, 1, 1]);

    expect((await create(emu)).status).toBe(502);
    expect((await read(emu, 'a')).status).toBe(500);
    expect((await create(emu)).status).toBe(504);
    expect((await read(emu, 'a')).status).toBe(500);
    expect(emu.pendingFaults).toEqual([]);
    expect((await read(emu, 'a')).status).toBe(404);
  });

  it('refuses invalid faults', () => {
    expect(() => emu.inject({ type: 'latency', ms: -1 })).toThrow(TypeError);
    expect(() => emu.inject({ type: 'status', status: 418 as 500 })).toThrow(TypeError);
    expect(() => emu.inject({ type: 'reset', times: 0 })).toThrow(TypeError);
    expect(() => emu.inject({ type: 'nope' } as never)).toThrow(TypeError);
    expect(emu.pendingFaults).toEqual([]);
  });
});

describe('secrets', () => {
  it('never show up in the request log, state, faults or any response', async () => {
    const token = 'tok-VERY-SECRET-1';
    const apiKey = 'key-IDENT-2';
    const apiSecret = 'sec-VERY-SECRET-3';
    const wrongToken = 'tok-WRONG-SECRET-4';
    const basicValue = Buffer.from(`${apiKey}:${apiSecret}`).toString('base64');
    const secrets = [
      token,
      apiSecret,
      wrongToken,
      basicValue,
      Buffer.from(`${apiKey}:wrong`).toString('base64'),
    ];
    const scoped = await start({
      credentials: [
        { token, scopes: ['partner:describe'] },
        { apiKey, apiSecret },
      ],
    });

    const answers: Answer[] = [];
    answers.push(await create(scoped, entitlementRequest(), basic(apiKey, apiSecret)));
    answers.push(
      await create(scoped, entitlementRequest(), { ...JSON_HEADERS, Authorization: `Bearer ${token}` }),
    );
    answers.push(
      await create(scoped, entitlementRequest(), { ...JSON_HEADERS, Authorization: `Bearer ${wrongToken}` }),
    );
    answers.push(await create(scoped, entitlementRequest(), basic(apiKey, 'wrong')));
    answers.push(await read(scoped, 'ent-x', '', { Authorization: `Bearer ${token}` }));
    answers.push(await read(scoped, 'ent-x', '', { Authorization: `Bearer${wrongToken}` }));
    scoped.inject({ type: 'status', status: 500 });
    answers.push(await read(scoped, 'ent-x', '', { Authorization: `Bearer ${token}` }));
    expect(answers.map((a) => a.status)).toEqual([201, 403, 401, 401, 404, 401, 500]);

    const exposed = JSON.stringify({
      emulator: scoped,
      requests: scoped.requests,
      entitlements: scoped.entitlements(),
      pendingFaults: scoped.pendingFaults,
      answers: answers.map((a) => ({ status: a.status, headers: [...a.headers], text: a.text })),
    });
    expect(exposed).toContain('ent-x'); // the dump does hold what was sent
    for (const secret of secrets) expect(exposed).not.toContain(secret);
  });
});

describe('reset()', () => {
  it('clears entitlements, faults, the request log and rate-limit counters', async () => {
    const limited = await start({ rateLimit: { requests: 2, perMs: 60_000 } });
    expect((await create(limited)).status).toBe(201);
    expect((await create(limited)).status).toBe(409);
    expect((await read(limited, 'x')).status).toBe(429);
    limited.inject({ type: 'status', status: 503, times: 5 });

    limited.reset();
    expect(limited.entitlements()).toEqual([]);
    expect(limited.requests).toEqual([]);
    expect(limited.pendingFaults).toEqual([]);

    const again = await create(limited);
    expect(again.status).toBe(201); // same external_id: state and the fault are gone
    expect(again.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(limited.requests).toHaveLength(1);
  });
});

describe('listening and close()', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address): address is NetworkInterfaceInfo => address !== undefined && !address.internal)
      .map((address) => (address.family === 'IPv6' ? `[${address.address.split('%')[0]}]` : address.address));
    for (const host of ['[::1]', ...others]) {
      await expect(
        fetch(`http://${host}:${emu.port}/partner/v2/entitlements/x`, { headers: BEARER }),
      ).rejects.toThrow();
    }
  });

  it('closes idle keep-alive and in-progress connections and leaves no open handles', async () => {
    const tcpHandles = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap' || name === 'TCPSocketWrap')
        .length;
    const baseline = tcpHandles();
    const server = await start();

    // An idle keep-alive connection...
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${server.url}/partner/v2/entitlements/x`, { agent, headers: BEARER }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(404);
    const idle = Object.values(agent.freeSockets).flat();
    expect(idle).toHaveLength(1);
    const idleClosed = new Promise((resolve) => idle[0]?.once('close', resolve));

    // ...a request stuck in a long latency fault...
    server.inject({ type: 'latency', ms: 20_000 });
    const stuck = fetch(`${server.url}/partner/v2/entitlements/y`, { headers: BEARER });
    // ...and one whose body never finishes arriving.
    const partial = httpRequest(`${server.url}/partner/v2/entitlements`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'Content-Length': '1000' },
    });
    const partialFailed = new Promise((resolve) => partial.once('error', resolve));
    partial.write('{"external_id":');
    while (server.requests.length < 3) await sleep(5);

    const closingAt = performance.now();
    await server.close();
    expect(performance.now() - closingAt).toBeLessThan(1000);
    await expect(stuck).rejects.toThrow(TypeError);
    await partialFailed;
    await idleClosed;
    await server.close(); // idempotent
    agent.destroy();

    for (let i = 0; i < 100 && tcpHandles() > baseline; i++) await sleep(10);
    expect(tcpHandles()).toBeLessThanOrEqual(baseline);
    await expect(fetch(`${server.url}/`)).rejects.toThrow(TypeError);
  });

  it('supports `await using`', async () => {
    let url = '';
    {
      await using scoped = await startConfluentEmulator();
      url = scoped.url;
      expect((await read(scoped, 'x')).status).toBe(404);
    }
    await expect(fetch(`${url}/`)).rejects.toThrow(TypeError);
  });

  it('rejects invalid options', async () => {
    await expect(startConfluentEmulator({ port: -1 })).rejects.toThrow(TypeError);
    await expect(startConfluentEmulator({ locationOrigin: 'https://x.example/path' })).rejects.toThrow(
      TypeError,
    );
    await expect(startConfluentEmulator({ rateLimit: { requests: 0, perMs: 10 } })).rejects.toThrow(
      TypeError,
    );
    await expect(
      startConfluentEmulator({ credentials: [{ apiKey: 'a:b', apiSecret: 's' }] }),
    ).rejects.toThrow(TypeError);
  });

  it('rejects a port that is taken', async () => {
    await expect(startConfluentEmulator({ port: emu.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

// ---------------------------------------------------------------------------------------------
// What the emulator stores, the document it serves, and its clock

/** A copy of the served document in which every entitlement schema (request, 201, 200) has one more optional field. */
function withField(
  name: string,
  schema: JsonObject,
  where: 'everywhere' | 'request' = 'everywhere',
): JsonObject {
  const doc = structuredClone(spec) as JsonObject;
  let added = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) visit(child);
    if (!isObject(node)) return;
    const properties = node.properties;
    if (isObject(properties) && 'external_id' in properties && 'plan_id' in properties) {
      properties[name] = structuredClone(schema);
      added++;
    }
    for (const child of Object.values(node)) visit(child);
  };
  const create = findOperation(doc, 'createPartnerV2Entitlement');
  visit(where === 'request' ? create?.operation.requestBody : doc);
  expect(added).toBeGreaterThan(0);
  return doc;
}

function manualClock(start: number) {
  let now = start;
  const sleepers: { until: number; resolve: () => void }[] = [];
  const waiting: ((ms: number) => void)[] = [];
  const clock: ConfluentEmulatorClock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        sleepers.push({ until: now + ms, resolve });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        for (const notify of waiting.splice(0)) notify(ms);
      }),
  };
  return {
    clock,
    /** Resolves with the duration of the next sleep the emulator starts. */
    nextSleep: () => new Promise<number>((resolve) => waiting.push(resolve)),
    advance(ms: number) {
      now += ms;
      for (const sleeper of sleepers.filter((entry) => entry.until <= now)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
    },
    get sleeping() {
      return sleepers.length;
    },
  };
}

describe('what the emulator stores', () => {
  it('keeps a new optional field of the spec and returns it from create and get', async () => {
    const extended = await start({ spec: withField('private_offer_id', { type: 'string', maxLength: 16 }) });
    const created = await create(extended, entitlementRequest({ private_offer_id: 'offer-7' }));
    expect(created.status).toBe(201);
    expect(created.body.private_offer_id).toBe('offer-7');
    const read = await call(extended, `/partner/v2/entitlements/${created.body.id}`, { headers: BEARER });
    expect(read.body.private_offer_id).toBe('offer-7');
    expect((extended.entitlements()[0] as Record<string, unknown>).private_offer_id).toBe('offer-7');
    // The field is checked too: the validators come from the same document.
    const tooLong = await create(
      extended,
      entitlementRequest({ external_id: 'e2', private_offer_id: 'o'.repeat(17) }),
    );
    expect(tooLong.status).toBe(400);
    expect(sources(tooLong)).toEqual([{ pointer: '/private_offer_id' }]);
  });

  it('accepts a field only the request schema defines, and does not return it', async () => {
    const requestOnly = await start({ spec: withField('activation_code', { type: 'string' }, 'request') });
    const created = await create(requestOnly, entitlementRequest({ activation_code: 'c-1' }));
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('activation_code');
    expect(requestOnly.entitlements()[0]).not.toHaveProperty('activation_code');
  });

  it('stores every field of the request that the response defines, and nothing it does not', async () => {
    const request = entitlementRequest({
      usage_reporting_id: 'usage-1',
      resource_id: 'res-1',
      organization: { id: 'org-1', environment: 'env-1' },
    });
    const created = await create(emu, request);
    const stored = emu.entitlements()[0] as Record<string, unknown>;
    for (const [name, value] of Object.entries(request))
      expect(stored[name], name).toMatchObject(value as never);
    for (const name of Object.keys(stored)) expect(Object.keys(RESOURCE), name).toContain(name);
    expect(created.json).toEqual(stored);
  });

  it('refuses a document without the operations it serves', async () => {
    await expect(startConfluentEmulator({ spec: { openapi: '3.0.3', paths: {} } })).rejects.toThrow(
      /createPartnerV2Entitlement/,
    );
  });
});

describe('the clock', () => {
  it('dates entitlements and the request log, and runs latency faults', async () => {
    const start_ = Date.UTC(2031, 4, 6, 7, 8, 9);
    const time = manualClock(start_);
    const timed = await start({ clock: time.clock });
    timed.inject({ type: 'latency', ms: 2500 });

    let answered = false;
    const pending = create(timed).then((answer) => {
      answered = true;
      return answer;
    });
    expect(await time.nextSleep()).toBe(2500);
    time.advance(2499);
    expect(time.sleeping).toBe(1);
    expect(answered).toBe(false);
    time.advance(1);
    const answer = await pending;

    expect(answer.status).toBe(201);
    expect(timed.requests[0]?.time).toBe(new Date(start_).toISOString());
    expect((answer.body.metadata as Record<string, string>).created_at).toBe(
      new Date(start_ + 2500).toISOString().replace('.500Z', 'Z'),
    );
  });

  it('refuses a clock without now() and sleep()', async () => {
    await expect(startConfluentEmulator({ clock: { now: () => 0 } as never })).rejects.toThrow(TypeError);
  });
});
