/**
 * Unit tests for each named normalisation (scripts/confluent/normalizations.ts) on tiny inline
 * OpenAPI documents, plus one run of the whole chain on the vendor's published YAML.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dropNonUriExamples,
  dropUndefinedRequired,
  hoistAllOfRequired,
  markReadOnlyReferences,
  normalizations,
  normalize,
  removeNonStandardOperationKeys,
  requireRequestBodies,
} from '../../scripts/confluent/normalizations.ts';
import { bundleSpec } from '../../scripts/confluent/pipeline.ts';
import { isObject, type JsonObject } from '../../scripts/lib/json.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const vendorSpec = path.join(repoRoot, 'openapi/confluent/openapi.yaml');

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
  it('applies every normalisation of a quirk the vendor YAML has, and leaves no required-only allOf member', async () => {
    const doc = await bundleSpec(vendorSpec);
    // The check below must be able to fail: the vendor's document has such members before normalising.
    expect(requiredOnlyAllOfMembers(doc).length).toBeGreaterThan(0);

    const report = normalize(doc);
    expect(Object.keys(report)).toEqual(normalizations.map((normalization) => normalization.name));
    // mark-read-only-references targets the full spec's shared components: the two-operation YAML
    // writes metadata inline (readOnly on the property itself), so it has nothing to change there.
    const { 'mark-read-only-references': fullSpecOnly, ...quirks } = report;
    expect(fullSpecOnly).toBe(0);
    for (const [name, count] of Object.entries(quirks)) expect(count, name).toBeGreaterThan(0);
    expect(requiredOnlyAllOfMembers(doc)).toEqual([]);

    // The shapes the adapter relies on.
    const body = at(doc, 'paths', '/partner/v2/entitlements', 'post', 'requestBody');
    expect(at(body, 'required')).toBe(true);
    expect(at(body, 'content', 'application/json', 'schema', 'required')).toEqual([
      'external_id',
      'name',
      'plan_id',
      'product_id',
    ]);
    expect(
      at(body, 'content', 'application/json', 'schema', 'properties', 'organization', 'required'),
    ).toEqual(['id']);
    expect(at(doc, 'paths', '/partner/v2/entitlements', 'post')).not.toHaveProperty('jsonRequestBodyExample');
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
