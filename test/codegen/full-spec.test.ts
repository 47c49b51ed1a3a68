/**
 * The code generator on a document shaped like the vendor's FULL spec (test/fixtures/confluent-full-spec):
 * shared components behind `$ref`s, an external file, and 230+ operations the library does not use.
 * The result must be as small and as precisely typed as with the two-operation YAML.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createConfig, lint } from '@redocly/openapi-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { confluentCodegen } from '../../scripts/confluent/config.ts';
import { generateConfluent } from '../../scripts/confluent/pipeline.ts';
import { isObject, type JsonObject } from '../../scripts/lib/json.ts';
import { createOperationValidator } from '../../src/openapi/compile-validators.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtureDir = path.join(repoRoot, 'test/fixtures/confluent-full-spec');
const fixture = path.join(fixtureDir, 'openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let tmp: string;
let outDir: string;
let openapi: JsonObject;
let schemaTs: string;
let report: Record<string, number>;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'confluent-full-spec-'));
  outDir = path.join(tmp, 'generated');
  const result = await generateConfluent({ ...confluentCodegen, spec: fixture, outDir });
  report = result.report;
  const json = result.files.get(path.join(outDir, 'openapi.json'));
  const types = result.files.get(path.join(outDir, 'schema.ts'));
  if (json === undefined || types === undefined)
    throw new Error(`unexpected files: ${[...result.files.keys()]}`);
  openapi = JSON.parse(json) as JsonObject;
  schemaTs = types;
}, 30_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function at(node: unknown, ...keys: string[]): unknown {
  let current = node;
  for (const key of keys) {
    if (!isObject(current) || !(key in current))
      throw new Error(`no "${key}" on the way to ${keys.join('/')}`);
    current = current[key];
  }
  return current;
}

function keysOf(node: unknown): string[] {
  return isObject(node) ? Object.keys(node).sort() : [];
}

function operationsIn(doc: unknown): { path: string; method: string; operationId: unknown }[] {
  const found: { path: string; method: string; operationId: unknown }[] = [];
  for (const [p, item] of Object.entries(isObject(doc) && isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (isObject(operation)) found.push({ path: p, method, operationId: operation.operationId });
    }
  }
  return found;
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (!isObject(node)) return [];
  return [...(typeof node.$ref === 'string' ? [node.$ref] : []), ...Object.values(node).flatMap(refsIn)];
}

describe('the full-spec fixture', () => {
  it('has the shape of the vendor full spec: 220+ other operations, shared components, an external $ref', async () => {
    const raw = parseYaml(await readFile(fixture, 'utf8')) as JsonObject;
    const operations = operationsIn(raw);
    const kept: readonly unknown[] = confluentCodegen.operationIds;
    const others = operations.filter((operation) => !kept.includes(operation.operationId));
    expect(others.length).toBeGreaterThanOrEqual(220);
    expect(keysOf(at(raw, 'components', 'schemas'))).toEqual(
      expect.arrayContaining(['partner.v2.Entitlement', 'ObjectReference', 'ObjectMeta', 'Failure', 'Error']),
    );
    expect(at(raw, 'components', 'schemas', 'ObjectMeta')).toEqual({ $ref: './schemas/ObjectMeta.yaml' });
    expect(keysOf(at(raw, 'components', 'securitySchemes'))).toEqual(['api-key', 'oauth']);
  });
});

describe('generateConfluent on the full spec', () => {
  it('applies the normalisations the full spec needs', () => {
    expect(report['remove-non-standard-operation-keys']).toBeGreaterThan(0);
    expect(report['hoist-allof-required']).toBeGreaterThan(0);
    expect(report['require-request-bodies']).toBeGreaterThan(0);
    expect(report['drop-non-uri-examples']).toBeGreaterThan(0);
  });

  it('keeps only the two entitlement operations', () => {
    expect(operationsIn(openapi)).toEqual([
      { path: '/partner/v2/entitlements', method: 'post', operationId: 'createPartnerV2Entitlement' },
      { path: '/partner/v2/entitlements/{id}', method: 'get', operationId: 'getPartnerV2Entitlement' },
    ]);
    expect(keysOf(openapi.paths)).toEqual(['/partner/v2/entitlements', '/partner/v2/entitlements/{id}']);
    expect(openapi.tags).toEqual([
      { name: 'Entitlements (partner/v2)', description: 'Entitlements are marketplace subscriptions.' },
    ]);
    expect(openapi).not.toHaveProperty('x-tagGroups');
  });

  it('drops the components of the other operations and keeps the ones the two operations reach', () => {
    // Entitlement and ObjectReference are copied into the operations by hoisting, so nothing refers
    // to them any more; ObjectMeta (external file) and Timestamp (reached only through ObjectMeta) stay.
    expect(keysOf(at(openapi, 'components', 'schemas'))).toEqual([
      'Error',
      'Failure',
      'ObjectMeta',
      'SearchFilter',
      'Timestamp',
    ]);
    expect(keysOf(at(openapi, 'components', 'responses'))).toEqual([
      'BadRequestError',
      'ConflictError',
      'ForbiddenError',
      'NotFoundError',
      'RateLimitError',
      'ServerError',
      'UnauthorizedError',
    ]);
    expect(keysOf(at(openapi, 'components', 'headers'))).toEqual([
      'RateLimitLimit',
      'RateLimitRemaining',
      'RateLimitReset',
      'RequestId',
      'RetryAfter',
    ]);
    // oauth: named by the two operations; api-key: by the document-level security requirement.
    expect(keysOf(at(openapi, 'components', 'securitySchemes'))).toEqual(['api-key', 'oauth']);
    // Used only by the other operations.
    expect(openapi.components).not.toHaveProperty('parameters');
    expect(openapi.components).not.toHaveProperty('requestBodies');
    const serialised = JSON.stringify(openapi);
    for (const gone of ['cmk.v2.Cluster', 'iam.v2.ServiceAccount', 'ListMeta', 'EnvScopedObjectReference']) {
      expect(serialised).not.toContain(gone);
    }
    // Every remaining reference resolves.
    for (const ref of refsIn(openapi)) {
      const [, section = '', name = ''] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref) ?? [];
      expect(keysOf(at(openapi, 'components', section)), ref).toContain(name);
    }
  });

  it('gives the create request body exactly the required names of the allOf constraint', () => {
    const body = at(openapi, 'paths', '/partner/v2/entitlements', 'post', 'requestBody');
    expect(at(body, 'required')).toBe(true);
    const schema = at(body, 'content', 'application/json', 'schema');
    expect(schema).not.toHaveProperty('allOf');
    // The shared partner.v2.Entitlement requires nothing itself.
    expect(at(schema, 'required')).toEqual(['external_id', 'name', 'plan_id', 'product_id']);
    expect(at(schema, 'properties', 'plan_id', 'enum')).toEqual([
      'confluent-cloud-payg-prod',
      'payg-prod.gcpmarketplace.confluent.cloud',
    ]);
    expect(at(schema, 'properties', 'organization', 'required')).toEqual(['id', 'related', 'resource_name']);
    expect(at(openapi, 'paths', '/partner/v2/entitlements', 'post')).not.toHaveProperty(
      'jsonRequestBodyExample',
    );
  });

  it('emits no Record<string, never> in the operations', () => {
    const start = schemaTs.indexOf('export interface operations {');
    expect(start).toBeGreaterThan(0);
    const operations = schemaTs.slice(start);
    expect(operations).toContain('createPartnerV2Entitlement: {');
    expect(operations).toContain('getPartnerV2Entitlement: {');
    expect(operations).not.toContain('Record<string, never>');
    expect(schemaTs).not.toContain('cmk.v2.Cluster');
  });

  it('lints clean with the recommended redocly rules (while the raw fixture does not)', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: { 'operation-summary': 'off', 'info-license': 'off' },
    });
    const file = path.join(tmp, 'openapi.json');
    await writeFile(file, JSON.stringify(openapi, null, 2));
    const errors = (await lint({ ref: file, config }))
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`);
    expect(errors).toEqual([]);

    const raw = (await lint({ ref: fixture, config })).filter((problem) => problem.severity === 'error');
    expect(raw.map((problem) => problem.location[0]?.pointer)).toContain(
      '#/paths/~1partner~1v2~1entitlements/post/jsonRequestBodyExample',
    );
  });
});

describe('request validators built from the full spec', () => {
  it('compile, resolving the query parameter whose schema is a $ref to SearchFilter', () => {
    const get = createOperationValidator(openapi, 'getPartnerV2Entitlement');
    expect(get.validateParameters({ path: { id: 'ent-1' }, query: { 'organization.id': 'org-1' } })).toEqual(
      [],
    );
    expect(get.validateParameters({ path: { id: 'ent-1' }, query: { 'organization.id': 7 } })).toMatchObject([
      {
        operationId: 'getPartnerV2Entitlement',
        in: 'query',
        parameter: 'organization.id',
        reason: 'invalid',
      },
    ]);
  });

  it('check create bodies against the hoisted schema', () => {
    const create = createOperationValidator(openapi, 'createPartnerV2Entitlement');
    const body = at(
      openapi,
      'paths',
      '/partner/v2/entitlements',
      'post',
      'requestBody',
      'content',
      'application/json',
      'schema',
    );
    const plans = at(body, 'properties', 'plan_id', 'enum') as string[];
    const products = at(body, 'properties', 'product_id', 'enum') as string[];
    const valid = { external_id: 'x', name: 'n', plan_id: plans[0], product_id: products[0] };
    expect(create.validateBody(valid)).toEqual([]);
    expect(create.validateBody({ ...valid, plan_id: `${plans[0]}-not-listed` })).toMatchObject([
      { operationId: 'createPartnerV2Entitlement', pointer: '/plan_id', reason: 'invalid' },
    ]);
  });
});

describe('the generated schema.ts', () => {
  const consumers: Record<string, string> = {
    'valid.ts': `
      import type { operations, Readable, Writable } from './schema.ts';

      type CreateBody = Writable<operations['createPartnerV2Entitlement']['requestBody']['content']['application/json']>;
      type Entitlement = Readable<operations['getPartnerV2Entitlement']['responses'][200]['content']['application/json']>;

      export const minimal: CreateBody = {
        external_id: '1111-2222-3333-4444',
        name: 'Acme Prod Entitlement',
        plan_id: 'confluent-cloud-payg-prod',
        product_id: 'confluent-cloud-kafka-service-azure',
      };
      // organization.related and .resource_name are readOnly: required in responses, absent from requests.
      export const full: CreateBody = {
        ...minimal,
        plan_id: 'payg-prod.gcpmarketplace.confluent.cloud',
        product_id: 'confluent-cloud-for-apache-kafka',
        usage_reporting_id: '1111-2222-3333-4444',
        resource_id: '1111-2222-3333-4444',
        organization: { id: 'org-1', environment: 'env-1' },
      };
      export function describeEntitlement(entitlement: Entitlement): string {
        const related: string | undefined = entitlement.organization?.related;
        const id: string | undefined = entitlement.id;
        return [id, entitlement.external_id, entitlement.plan_id, related].join(' ');
      }
    `,
    'wrong-plan.ts': `
      import type { operations, Writable } from './schema.ts';
      type CreateBody = Writable<operations['createPartnerV2Entitlement']['requestBody']['content']['application/json']>;
      export const body: CreateBody = {
        external_id: 'x',
        name: 'x',
        plan_id: 'confluent-cloud-annual-commit',
        product_id: 'confluent-cloud-kafka-service-azure',
      };
    `,
    'missing-name.ts': `
      import type { operations, Writable } from './schema.ts';
      type CreateBody = Writable<operations['createPartnerV2Entitlement']['requestBody']['content']['application/json']>;
      export const body: CreateBody = {
        external_id: 'x',
        plan_id: 'confluent-cloud-payg-prod',
        product_id: 'confluent-cloud-kafka-service-azure',
      };
    `,
    'read-only-field.ts': `
      import type { operations, Writable } from './schema.ts';
      type CreateBody = Writable<operations['createPartnerV2Entitlement']['requestBody']['content']['application/json']>;
      export const body: CreateBody = {
        external_id: 'x',
        name: 'x',
        plan_id: 'confluent-cloud-payg-prod',
        product_id: 'confluent-cloud-kafka-service-azure',
        organization: { id: 'org-1', related: 'https://api.confluent.cloud/org/v2/organizations/org-1' },
      };
    `,
    'read-only-reference.ts': `
      import type { operations, Writable } from './schema.ts';
      type CreateBody = Writable<operations['createPartnerV2Entitlement']['requestBody']['content']['application/json']>;
      export const body: CreateBody = {
        external_id: 'x',
        name: 'x',
        plan_id: 'confluent-cloud-payg-prod',
        product_id: 'confluent-cloud-kafka-service-azure',
        metadata: {},
      };
    `,
  };
  let diagnostics: Map<string, string[]>;

  beforeAll(async () => {
    const dir = path.join(tmp, 'typecheck');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'schema.ts'), schemaTs);
    for (const [name, text] of Object.entries(consumers)) await writeFile(path.join(dir, name), text);
    const program = ts.createProgram(
      ['schema.ts', ...Object.keys(consumers)].map((name) => path.join(dir, name)),
      {
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts'],
        types: [],
      },
    );
    diagnostics = new Map();
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const file = diagnostic.file ? path.basename(diagnostic.file.fileName) : '(global)';
      let line = '';
      if (diagnostic.file && diagnostic.start !== undefined) {
        const { line: index } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        line = diagnostic.file.text.split('\n')[index]?.trim() ?? '';
      }
      const message = `${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')} [at: ${line}]`;
      diagnostics.set(file, [...(diagnostics.get(file) ?? []), message]);
    }
  }, 30_000);

  it('type-checks, with a valid request body typed through Writable<>', () => {
    expect(diagnostics.get('(global)') ?? []).toEqual([]);
    expect(diagnostics.get('schema.ts') ?? []).toEqual([]);
    expect(diagnostics.get('valid.ts') ?? []).toEqual([]);
  });

  it('rejects a plan_id outside the enum', () => {
    const errors = diagnostics.get('wrong-plan.ts') ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain('confluent-cloud-annual-commit');
  });

  it('rejects a body without a required field', () => {
    const errors = diagnostics.get('missing-name.ts') ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain("Property 'name' is missing");
  });

  it('rejects a field that references a readOnly shared schema (metadata) in a request body', () => {
    const errors = diagnostics.get('read-only-reference.ts') ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain('metadata');
  });

  it('rejects a readOnly field in a request body', () => {
    const errors = diagnostics.get('read-only-field.ts') ?? [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/not assignable to type 'undefined'.*\[at: organization: .*related: /);
  });
});
