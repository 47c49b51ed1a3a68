/**
 * Unit tests for each named normalisation (scripts/confluent/normalizations.ts) on tiny inline
 * OpenAPI documents, plus one run of the whole chain on the vendor's published YAML.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  closeExtensibleEnumsInRequests,
  dropNonUriExamples,
  dropUndefinedRequired,
  hoistAllOfRequired,
  markReadOnlyReferences,
  normalizations,
  normalize,
  nullableReferences,
  removeNonStandardOperationKeys,
  requireRequestBodies,
} from '../../scripts/confluent/normalizations.ts';
import { visitSchemas } from '../../scripts/confluent/openapi-walk.ts';
import { bundleSpec } from '../../scripts/confluent/pipeline.ts';
import { isObject, type JsonObject } from '../../scripts/lib/json.ts';
import { createOperationValidator } from '../../src/openapi/compile-validators.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const vendorSpec = path.join(repoRoot, 'openapi/confluent/openapi.yaml');
/** What `npm run generate` recorded for the committed YAML. */
const recorded = JSON.parse(
  await readFile(path.join(repoRoot, 'generated/confluent/normalizations.json'), 'utf8'),
) as Record<string, number>;

/** A minimal OpenAPI 3.0 document around the given paths and components. */
function openapi(paths: JsonObject, components?: JsonObject): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1.0.0' },
    paths,
    ...(components ? { components } : {}),
  };
}

/** `{content: {'application/json': {schema}}}`, the shape of request bodies and responses. */
function json(schema: JsonObject, extra: JsonObject = {}): JsonObject {
  return { ...extra, content: { 'application/json': { schema } } };
}

/** Asserts that a normalisation reports no change and really changes nothing. */
function expectNoChange(apply: (doc: JsonObject) => number, doc: JsonObject): void {
  const before = structuredClone(doc);
  expect(apply(doc)).toBe(0);
  expect(doc).toEqual(before);
}

/** Follows keys into a document; fails the test when one is missing. */
function at(node: unknown, ...keys: string[]): unknown {
  let current = node;
  for (const key of keys) {
    if (!isObject(current) || !(key in current))
      throw new Error(`no "${key}" on the way to ${keys.join('/')}`);
    current = current[key];
  }
  return current;
}

describe('remove-non-standard-operation-keys', () => {
  const operation = (extra: JsonObject): JsonObject => ({
    operationId: 'createThing',
    'x-lifecycle-stage': 'General Availability',
    'x-codeSamples': [{ lang: 'Shell', source: 'curl https://api.example.com/things' }],
    responses: { '201': { description: 'Created' } },
    ...extra,
  });

  it('drops jsonRequestBodyExample from every operation and keeps x- extensions', () => {
    const doc = openapi({
      '/things': {
        summary: 'Things',
        post: operation({ jsonRequestBodyExample: { name: 'thing' } }),
        put: operation({ operationId: 'replaceThing', jsonRequestBodyExample: { name: 'other' } }),
      },
    });
    expect(removeNonStandardOperationKeys(doc)).toBe(2);
    expect(doc).toEqual(
      openapi({
        '/things': {
          summary: 'Things',
          post: operation({}),
          put: operation({ operationId: 'replaceThing' }),
        },
      }),
    );
  });

  it('leaves operations with only OpenAPI fields and x- keys unchanged', () => {
    expectNoChange(
      removeNonStandardOperationKeys,
      openapi({
        '/things': {
          summary: 'Path item fields are not operation fields',
          post: operation({
            tags: ['things'],
            summary: 'Create',
            description: 'Creates a thing.',
            parameters: [],
            requestBody: json({ type: 'object' }),
            deprecated: false,
            security: [],
            servers: [{ url: 'https://api.example.com' }],
            externalDocs: { url: 'https://docs.example.com' },
            callbacks: {},
          }),
        },
      }),
    );
  });
});

describe('hoist-allof-required', () => {
  it('merges a required-only member into an inline object member (union of required, siblings kept)', () => {
    const base = {
      type: 'object',
      properties: { name: { type: 'string' }, size: { type: 'integer' }, note: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    };
    const doc = openapi({
      '/things': {
        post: {
          requestBody: json({
            description: 'A new thing.',
            allOf: [
              structuredClone(base),
              { type: 'object', required: ['name', 'size'] },
              { required: ['note'] },
            ],
          }),
          responses: { '201': { description: 'Created' } },
        },
      },
    });
    expect(hoistAllOfRequired(doc)).toBe(1);
    expect(doc).toEqual(
      openapi({
        '/things': {
          post: {
            requestBody: json({ ...base, description: 'A new thing.', required: ['name', 'size', 'note'] }),
            responses: { '201': { description: 'Created' } },
          },
        },
      }),
    );
  });

  it('copies a $ref member into place and leaves the shared component untouched', () => {
    const thing = {
      type: 'object',
      description: 'A thing.',
      required: ['id'],
      properties: {
        id: { type: 'string', readOnly: true },
        name: { type: 'string' },
        size: { type: 'integer' },
      },
    };
    const ref = { $ref: '#/components/schemas/Thing' };
    const doc = openapi(
      {
        '/things': {
          post: {
            requestBody: json({ allOf: [ref, { required: ['name', 'size'] }] }),
            responses: {
              '201': json(
                { allOf: [ref, { type: 'object', required: ['id', 'name'] }] },
                { description: 'Created' },
              ),
            },
          },
        },
      },
      { schemas: { Thing: structuredClone(thing) } },
    );
    expect(hoistAllOfRequired(doc)).toBe(2);
    expect(doc).toEqual(
      openapi(
        {
          '/things': {
            post: {
              requestBody: json({ ...thing, required: ['id', 'name', 'size'] }),
              responses: { '201': json({ ...thing, required: ['id', 'name'] }, { description: 'Created' }) },
            },
          },
        },
        { schemas: { Thing: thing } },
      ),
    );
    // The hoisted schema is a copy: editing it later must not reach the shared component.
    const hoisted = at(
      doc,
      'paths',
      '/things',
      'post',
      'requestBody',
      'content',
      'application/json',
      'schema',
    );
    const component = at(doc, 'components', 'schemas', 'Thing');
    expect(hoisted).not.toBe(component);
    expect(at(hoisted, 'properties')).not.toBe(at(component, 'properties'));
  });

  it('also hoists an allOf inside a property of the hoisted schema', () => {
    const reference = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, related: { type: 'string', format: 'uri', readOnly: true } },
    };
    const doc = openapi(
      {
        '/things': {
          post: {
            requestBody: json({
              allOf: [
                {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    organization: {
                      allOf: [{ $ref: '#/components/schemas/ObjectReference' }, { required: ['related'] }],
                      description: 'The owner.',
                    },
                  },
                },
                { type: 'object', required: ['name'] },
              ],
            }),
            responses: { '201': { description: 'Created' } },
          },
        },
      },
      { schemas: { ObjectReference: structuredClone(reference) } },
    );
    expect(hoistAllOfRequired(doc)).toBe(2);
    expect(doc).toEqual(
      openapi(
        {
          '/things': {
            post: {
              requestBody: json({
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  organization: { ...reference, description: 'The owner.', required: ['id', 'related'] },
                },
                required: ['name'],
              }),
              responses: { '201': { description: 'Created' } },
            },
          },
        },
        { schemas: { ObjectReference: reference } },
      ),
    );
  });

  it('hoists inside a shared component before copying it (the full spec: Entitlement.organization)', () => {
    const reference = {
      type: 'object',
      required: ['id', 'related'],
      properties: { id: { type: 'string' }, related: { type: 'string', readOnly: true } },
    };
    const entitlement = (organization: JsonObject): JsonObject => ({
      type: 'object',
      properties: { name: { type: 'string' }, organization },
      additionalProperties: false,
    });
    const doc = openapi(
      {
        '/entitlements': {
          post: {
            requestBody: json({
              allOf: [{ $ref: '#/components/schemas/Entitlement' }, { type: 'object', required: ['name'] }],
            }),
            responses: { '201': { description: 'Created' } },
          },
        },
      },
      {
        schemas: {
          Entitlement: entitlement({
            allOf: [{ $ref: '#/components/schemas/ObjectReference' }, { required: ['related'] }],
          }),
          ObjectReference: structuredClone(reference),
        },
      },
    );
    expect(hoistAllOfRequired(doc)).toBe(2);
    const hoistedEntitlement = entitlement(structuredClone(reference));
    expect(doc).toEqual(
      openapi(
        {
          '/entitlements': {
            post: {
              requestBody: json({ ...hoistedEntitlement, required: ['name'] }),
              responses: { '201': { description: 'Created' } },
            },
          },
        },
        { schemas: { Entitlement: hoistedEntitlement, ObjectReference: reference } },
      ),
    );
  });

  it('leaves compositions without a required-only member, or with several bases, unchanged', () => {
    expectNoChange(
      hoistAllOfRequired,
      openapi(
        {
          '/things': {
            post: {
              requestBody: json({
                allOf: [
                  { $ref: '#/components/schemas/A' },
                  { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] },
                ],
              }),
              responses: {
                '200': json(
                  {
                    allOf: [
                      { $ref: '#/components/schemas/A' },
                      { $ref: '#/components/schemas/B' },
                      { required: ['a'] },
                    ],
                  },
                  { description: 'OK' },
                ),
                '201': json({ allOf: [{ $ref: '#/components/schemas/A' }] }, { description: 'Created' }),
              },
            },
          },
        },
        {
          schemas: {
            A: { type: 'object', properties: { a: { type: 'string' } } },
            B: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] },
          },
        },
      ),
    );
  });
});

describe('drop-undefined-required', () => {
  it('removes required names the schema does not define, and an emptied required list', () => {
    const doc = openapi(
      {
        '/things': {
          post: {
            requestBody: json({
              type: 'object',
              properties: {
                organization: {
                  type: 'object',
                  properties: { id: { type: 'string' } },
                  required: ['id', 'related'],
                  additionalProperties: false,
                },
              },
            }),
            responses: { '201': { description: 'Created' } },
          },
        },
      },
      {
        schemas: {
          Note: { type: 'object', properties: { text: { type: 'string' } }, required: ['author', 'date'] },
        },
      },
    );
    expect(dropUndefinedRequired(doc)).toBe(3);
    expect(doc).toEqual(
      openapi(
        {
          '/things': {
            post: {
              requestBody: json({
                type: 'object',
                properties: {
                  organization: {
                    type: 'object',
                    properties: { id: { type: 'string' } },
                    required: ['id'],
                    additionalProperties: false,
                  },
                },
              }),
              responses: { '201': { description: 'Created' } },
            },
          },
        },
        { schemas: { Note: { type: 'object', properties: { text: { type: 'string' } } } } },
      ),
    );
  });

  it('leaves schemas whose required names are all defined (and required-only members) unchanged', () => {
    expectNoChange(
      dropUndefinedRequired,
      openapi(
        {
          '/things': {
            post: {
              requestBody: json({
                allOf: [{ $ref: '#/components/schemas/Thing' }, { required: ['name'] }],
              }),
              responses: { '201': { description: 'Created' } },
            },
          },
        },
        {
          schemas: {
            Thing: {
              type: 'object',
              properties: { id: { type: 'string' }, name: { type: 'string' } },
              required: ['id'],
            },
          },
        },
      ),
    );
  });
});

describe('require-request-bodies', () => {
  const withRequired = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
  const withoutRequired = { type: 'object', properties: { note: { type: 'string' } } };

  it('marks an inline request body whose schema requires fields as required', () => {
    const doc = openapi({
      '/things': {
        post: { requestBody: json(withRequired), responses: { '201': { description: 'Created' } } },
        put: { requestBody: json(withoutRequired), responses: { '200': { description: 'OK' } } },
      },
    });
    expect(requireRequestBodies(doc)).toBe(1);
    expect(doc).toEqual(
      openapi({
        '/things': {
          post: {
            requestBody: json(withRequired, { required: true }),
            responses: { '201': { description: 'Created' } },
          },
          put: { requestBody: json(withoutRequired), responses: { '200': { description: 'OK' } } },
        },
      }),
    );
  });

  it('marks a $ref-ed request body in components.requestBodies (following a $ref-ed schema)', () => {
    const doc = openapi(
      {
        '/things/{id}': {
          patch: {
            requestBody: { $ref: '#/components/requestBodies/ThingUpdate' },
            responses: { '200': { description: 'OK' } },
          },
        },
      },
      {
        requestBodies: {
          ThingUpdate: json({ $ref: '#/components/schemas/Thing' }, { description: 'The update.' }),
        },
        schemas: { Thing: withRequired },
      },
    );
    expect(requireRequestBodies(doc)).toBe(1);
    expect(doc).toEqual(
      openapi(
        {
          '/things/{id}': {
            patch: {
              requestBody: { $ref: '#/components/requestBodies/ThingUpdate' },
              responses: { '200': { description: 'OK' } },
            },
          },
        },
        {
          requestBodies: {
            ThingUpdate: json(
              { $ref: '#/components/schemas/Thing' },
              { description: 'The update.', required: true },
            ),
          },
          schemas: { Thing: withRequired },
        },
      ),
    );
  });

  it('leaves bodies already required, or without required fields, unchanged', () => {
    expectNoChange(
      requireRequestBodies,
      openapi({
        '/things': {
          post: {
            requestBody: json(withRequired, { required: true }),
            responses: { '201': { description: 'Created' } },
          },
          put: { requestBody: json(withoutRequired), responses: { '200': { description: 'OK' } } },
          get: { responses: { '200': { description: 'OK' } } },
        },
      }),
    );
  });
});

describe('drop-non-uri-examples', () => {
  const uri = (example: string): JsonObject => ({ type: 'string', format: 'uri', example });

  it('drops URI-template examples of format: uri and keeps real URIs', () => {
    const doc = openapi(
      {
        '/things': {
          post: {
            responses: {
              '201': {
                description: 'Created',
                headers: { Location: { schema: uri('https://api.example.com/things/{id}') } },
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        self: uri('https://api.example.com/things/t-1'),
                        resource_name: uri('crn://example.com/thing=t-1'),
                        path: { type: 'string', example: '/things/{id}' },
                      },
                    },
                  },
                },
              },
              '409': { $ref: '#/components/responses/Conflict' },
            },
          },
        },
      },
      {
        responses: {
          Conflict: {
            description: 'Conflict',
            headers: { Location: { schema: uri('https://api.example.com/{object}/{id}') } },
          },
        },
      },
    );
    expect(dropNonUriExamples(doc)).toBe(2);
    expect(doc).toEqual(
      openapi(
        {
          '/things': {
            post: {
              responses: {
                '201': {
                  description: 'Created',
                  headers: { Location: { schema: { type: 'string', format: 'uri' } } },
                  content: {
                    'application/json': {
                      schema: {
                        type: 'object',
                        properties: {
                          self: uri('https://api.example.com/things/t-1'),
                          resource_name: uri('crn://example.com/thing=t-1'),
                          path: { type: 'string', example: '/things/{id}' },
                        },
                      },
                    },
                  },
                },
                '409': { $ref: '#/components/responses/Conflict' },
              },
            },
          },
        },
        {
          responses: {
            Conflict: {
              description: 'Conflict',
              headers: { Location: { schema: { type: 'string', format: 'uri' } } },
            },
          },
        },
      ),
    );
  });

  it('leaves valid URI examples unchanged', () => {
    expectNoChange(
      dropNonUriExamples,
      openapi(
        {
          '/things/{id}': {
            parameters: [{ name: 'callback', in: 'query', schema: uri('https://hooks.example.com/cb?x=1') }],
            get: {
              responses: {
                '200': { description: 'OK', headers: { Link: { schema: uri('urn:isbn:0451450523') } } },
              },
            },
          },
        },
        { schemas: { Self: uri('https://api.example.com/v2/kafka-clusters/lkc-f3a90de') } },
      ),
    );
  });
});

/** JSON pointers of allOf members that only add `required` names (what hoisting must remove). */
function requiredOnlyAllOfMembers(node: unknown, pointer = '#'): string[] {
  const found: string[] = [];
  if (Array.isArray(node)) {
    node.forEach((child, index) => {
      found.push(...requiredOnlyAllOfMembers(child, `${pointer}/${index}`));
    });
  } else if (isObject(node)) {
    if (Array.isArray(node.allOf)) {
      node.allOf.forEach((member, index) => {
        const constraintOnly =
          isObject(member) &&
          Array.isArray(member.required) &&
          Object.keys(member).every((key) => ['required', 'type', 'description', 'title'].includes(key));
        if (constraintOnly) found.push(`${pointer}/allOf/${index}`);
      });
    }
    for (const [key, child] of Object.entries(node)) {
      found.push(
        ...requiredOnlyAllOfMembers(child, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`),
      );
    }
  }
  return found;
}

describe('normalize() on the vendor YAML', () => {
  it('changes what generate recorded, and leaves none of the quirks it fixes', async () => {
    const doc = await bundleSpec(vendorSpec);
    const report = normalize(doc);
    expect(Object.keys(report)).toEqual(normalizations.map((normalization) => normalization.name));
    // The counts depend on the edition of the YAML: generated/ records them for the committed one.
    expect(report).toEqual(recorded);

    // Whatever the edition, none of the shapes the normalisations remove is left.
    expect(requiredOnlyAllOfMembers(doc)).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('jsonRequestBodyExample');
    visitSchemas(doc, (schema) => {
      expect(schema.$ref !== undefined && schema.nullable === true, JSON.stringify(schema)).toBe(false);
    });
    const post = at(doc, 'paths', '/partner/v2/entitlements', 'post');
    expect(JSON.stringify(at(post, 'requestBody'))).not.toContain('x-extensible-enum');

    // The shapes the adapter relies on.
    const body = at(post, 'requestBody');
    expect(at(body, 'required')).toBe(true);
    const schema = at(body, 'content', 'application/json', 'schema') as JsonObject;
    expect(schema).not.toHaveProperty('allOf');
    expect(schema.required).toEqual(expect.arrayContaining(['external_id', 'name', 'plan_id', 'product_id']));
  });

  it('is idempotent: a second run changes nothing', async () => {
    const doc = await bundleSpec(vendorSpec);
    normalize(doc);
    const once = structuredClone(doc);
    const again = normalize(doc);
    expect(again).toEqual(Object.fromEntries(normalizations.map((normalization) => [normalization.name, 0])));
    expect(doc).toEqual(once);
  });
});

describe('markReadOnlyReferences', () => {
  it('wraps a property that only references a readOnly schema, and leaves other references alone', () => {
    const doc = {
      components: {
        schemas: {
          Meta: { type: 'object', readOnly: true, properties: { self: { type: 'string' } } },
          Name: { type: 'string' },
          Thing: {
            type: 'object',
            properties: {
              metadata: { $ref: '#/components/schemas/Meta' },
              name: { $ref: '#/components/schemas/Name' },
              described: { $ref: '#/components/schemas/Meta', description: 'kept as written' },
            },
          },
        },
      },
    };
    expect(markReadOnlyReferences(doc)).toBe(1);
    expect(doc.components.schemas.Thing.properties).toEqual({
      metadata: { allOf: [{ $ref: '#/components/schemas/Meta' }], readOnly: true },
      name: { $ref: '#/components/schemas/Name' },
      described: { $ref: '#/components/schemas/Meta', description: 'kept as written' },
    });
    expect(markReadOnlyReferences(doc)).toBe(0);
  });
});

describe('nullable-references', () => {
  it('turns nullable beside $ref into "the referenced schema or null", keeping the other siblings', () => {
    const doc = openapi(
      {},
      {
        schemas: {
          Source: { type: 'object', properties: { pointer: { type: 'string' } } },
          Error: {
            type: 'object',
            properties: {
              source: { $ref: '#/components/schemas/Source', nullable: true, description: 'Where.' },
              plain: { $ref: '#/components/schemas/Source' },
              message: { type: 'string', nullable: true },
            },
          },
        },
      },
    );
    expect(nullableReferences(doc)).toBe(1);
    expect(at(doc, 'components', 'schemas', 'Error', 'properties')).toEqual({
      source: {
        description: 'Where.',
        anyOf: [{ $ref: '#/components/schemas/Source' }, { type: 'string', nullable: true, enum: [null] }],
      },
      plain: { $ref: '#/components/schemas/Source' },
      message: { type: 'string', nullable: true },
    });
    expect(nullableReferences(doc)).toBe(0);
  });

  it('gives a schema a validator compiles: null or a valid referenced value, nothing else', () => {
    const doc = openapi(
      {
        '/errors': {
          post: {
            operationId: 'postError',
            requestBody: json({
              type: 'object',
              properties: { source: { $ref: '#/components/schemas/Source', nullable: true } },
            }),
            responses: { '201': { description: 'Created' } },
          },
        },
      },
      {
        schemas: {
          Source: { type: 'object', required: ['pointer'], properties: { pointer: { type: 'string' } } },
        },
      },
    );
    expect(() => createOperationValidator(structuredClone(doc), 'postError')).toThrow(/nullable/);
    nullableReferences(doc);
    const validator = createOperationValidator(doc, 'postError');
    expect(validator.validateBody({ source: null })).toEqual([]);
    expect(validator.validateBody({ source: { pointer: '/a' } })).toEqual([]);
    expect(validator.validateBody({ source: 'text' }).length).toBeGreaterThan(0);
    expect(validator.validateBody({ source: {} }).length).toBeGreaterThan(0);
  });
});

describe('close-extensible-enums-in-requests', () => {
  const plan = (): JsonObject => ({ type: 'string', 'x-extensible-enum': ['basic', 'pro'] });
  const closed = (extra: JsonObject = {}): JsonObject => ({
    type: 'string',
    enum: ['basic', 'pro'],
    ...extra,
  });
  const entitlement = (planSchema: JsonObject): JsonObject => ({
    type: 'object',
    properties: { name: { type: 'string' }, plan_id: planSchema },
  });
  const operation = (request: JsonObject, response: JsonObject, parameters: unknown[] = []): JsonObject => ({
    operationId: 'createThing',
    parameters,
    requestBody: json(request),
    responses: { '201': json(response, { description: 'Created' }) },
  });

  it('closes inline lists in request bodies and parameters, and leaves responses open', () => {
    const doc = openapi({
      '/things': {
        parameters: [{ name: 'tier', in: 'query', schema: plan() }],
        post: operation(entitlement(plan()), entitlement(plan()), [
          { name: 'mode', in: 'query', content: { 'application/json': { schema: plan() } } },
        ]),
      },
    });
    expect(closeExtensibleEnumsInRequests(doc)).toBe(3);
    const post = at(doc, 'paths', '/things', 'post');
    expect(at(post, 'requestBody', 'content', 'application/json', 'schema')).toEqual(entitlement(closed()));
    expect(at(post, 'responses', '201', 'content', 'application/json', 'schema')).toEqual(
      entitlement(plan()),
    );
    expect(at(post, 'parameters')).toEqual([
      { name: 'mode', in: 'query', content: { 'application/json': { schema: closed() } } },
    ]);
    expect(at(doc, 'paths', '/things', 'parameters')).toEqual([
      { name: 'tier', in: 'query', schema: closed() },
    ]);
    expect(closeExtensibleEnumsInRequests(doc)).toBe(0);
  });

  it('gives a component shared by requests and responses a request copy, also for components that reach it', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const doc = openapi(
      {
        '/things': {
          post: operation(ref('Thing'), ref('Thing'), [{ $ref: '#/components/parameters/Tier' }]),
        },
      },
      {
        parameters: { Tier: { name: 'tier', in: 'query', schema: ref('Plan') } },
        schemas: {
          Plan: plan(),
          Thing: entitlement(ref('Plan')),
          Unrelated: { type: 'object', properties: { n: { type: 'integer' } } },
        },
      },
    );
    // Two copies (Plan, Thing) and the list closed in the copy of Plan.
    expect(closeExtensibleEnumsInRequests(doc)).toBe(3);
    expect(at(doc, 'components', 'schemas')).toEqual({
      Plan: plan(),
      Thing: entitlement(ref('Plan')),
      Unrelated: { type: 'object', properties: { n: { type: 'integer' } } },
      'Plan.request': closed(),
      'Thing.request': entitlement(ref('Plan.request')),
    });
    const post = at(doc, 'paths', '/things', 'post');
    expect(at(post, 'requestBody', 'content', 'application/json', 'schema')).toEqual(ref('Thing.request'));
    expect(at(post, 'responses', '201', 'content', 'application/json', 'schema')).toEqual(ref('Thing'));
    expect(at(doc, 'components', 'parameters', 'Tier', 'schema')).toEqual(ref('Plan.request'));
    expect(closeExtensibleEnumsInRequests(doc)).toBe(0);
  });

  it('closes a component only requests reach in place, and leaves one only responses reach open', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const doc = openapi(
      { '/things': { post: operation(ref('NewThing'), ref('Thing')) } },
      { schemas: { NewThing: entitlement(plan()), Thing: entitlement(plan()) } },
    );
    expect(closeExtensibleEnumsInRequests(doc)).toBe(1);
    expect(at(doc, 'components', 'schemas')).toEqual({
      NewThing: entitlement(closed()),
      Thing: entitlement(plan()),
    });
  });

  it('adds null to the closed list of a nullable schema, and avoids taken copy names', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const doc = openapi(
      { '/things': { post: operation(ref('Plan'), ref('Plan')) } },
      { schemas: { Plan: { ...plan(), nullable: true }, 'Plan.request': { type: 'integer' } } },
    );
    expect(closeExtensibleEnumsInRequests(doc)).toBe(2);
    expect(at(doc, 'components', 'schemas', 'Plan.request2')).toEqual({
      type: 'string',
      nullable: true,
      enum: ['basic', 'pro', null],
    });
    expect(at(doc, 'components', 'schemas', 'Plan.request')).toEqual({ type: 'integer' });
  });

  it('makes the request validator refuse an unlisted value while responses take any string', () => {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const doc = openapi(
      { '/things': { post: operation(ref('Thing'), ref('Thing')) } },
      { schemas: { Thing: entitlement(plan()) } },
    );
    closeExtensibleEnumsInRequests(doc);
    const validator = createOperationValidator(doc, 'createThing');
    expect(validator.validateBody({ name: 'n', plan_id: 'pro' })).toEqual([]);
    expect(validator.validateBody({ name: 'n', plan_id: 'enterprise' })).toMatchObject([
      { pointer: '/plan_id', reason: 'invalid', message: expect.stringContaining('"basic", "pro"') },
    ]);
    const response = new Ajv({ strict: false }).compile(
      at(doc, 'components', 'schemas', 'Thing') as JsonObject,
    );
    expect(response({ name: 'n', plan_id: 'enterprise' })).toBe(true);
  });
});
