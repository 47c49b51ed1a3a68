/** Unit tests for scripts/confluent/select-operations.ts on a small inline OpenAPI document. */
import { describe, expect, it } from 'vitest';
import {
  MissingOperationsError,
  removeUnusedComponents,
  selectOperations,
} from '../../scripts/confluent/select-operations.ts';
import { isObject, type JsonObject } from '../../scripts/lib/json.ts';

const schema = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (s: JsonObject, extra: JsonObject = {}): JsonObject => ({
  ...extra,
  content: { 'application/json': { schema: s } },
});

/**
 * Three paths, five operations. Kept below: createThing and getThing. Components are reached
 * directly (Thing, NewThing, Problem), only through other components (Owner -> Address, the Org
 * parameter -> OrgId), or only by dropped operations (ThingList, Other).
 */
function spec(): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1.0.0' },
    security: [{ basic: [] }],
    tags: [{ name: 'things', description: 'Things.' }, { name: 'other' }],
    'x-tagGroups': [{ name: 'All', tags: ['things', 'other'] }],
    webhooks: { thingCreated: { post: { responses: { '200': { description: 'OK' } } } } },
    paths: {
      '/things': {
        summary: 'Things',
        parameters: [{ $ref: '#/components/parameters/Org' }],
        get: {
          operationId: 'listThings',
          tags: ['things'],
          responses: { '200': { $ref: '#/components/responses/ThingList' } },
        },
        post: {
          operationId: 'createThing',
          tags: ['things'],
          security: [{ oauth: ['things:write'] }],
          requestBody: { $ref: '#/components/requestBodies/NewThing' },
          responses: {
            '201': jsonBody(schema('Thing'), { description: 'Created' }),
            '400': { $ref: '#/components/responses/Problem' },
          },
        },
      },
      '/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          operationId: 'getThing',
          tags: ['things'],
          responses: { '200': jsonBody(schema('Thing'), { description: 'A thing' }) },
        },
        delete: {
          operationId: 'deleteThing',
          tags: ['things'],
          responses: { '204': { description: 'Deleted' } },
        },
      },
      '/other': {
        get: {
          operationId: 'getOther',
          tags: ['other'],
          security: [{ apiKey: [] }],
          responses: {
            '200': jsonBody(schema('Other'), { description: 'Other' }),
            '400': { $ref: '#/components/responses/Problem' },
          },
        },
      },
    },
    components: {
      schemas: {
        Thing: { type: 'object', properties: { id: { type: 'string' }, owner: schema('Owner') } },
        Owner: { type: 'object', properties: { address: schema('Address') } },
        Address: { type: 'object', properties: { city: { type: 'string' } } },
        NewThing: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        OrgId: { type: 'string' },
        Problem: { type: 'object', properties: { detail: { type: 'string' } } },
        ThingList: { type: 'array', items: schema('Thing') },
        Other: { type: 'object', properties: { address: schema('Address'), more: schema('OtherDetail') } },
        OtherDetail: { type: 'string' },
        Unused: { type: 'string' },
      },
      parameters: {
        Org: { name: 'org', in: 'query', schema: schema('OrgId') },
        Unused: { name: 'unused', in: 'query', schema: { type: 'string' } },
      },
      responses: {
        ThingList: jsonBody(schema('ThingList'), { description: 'Things' }),
        Problem: jsonBody(schema('Problem'), { description: 'Problem' }),
      },
      requestBodies: {
        NewThing: jsonBody(schema('NewThing')),
        OtherUpdate: jsonBody(schema('Other')),
      },
      examples: { Unused: { value: { name: 'unused' } } },
      securitySchemes: {
        oauth: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: 'https://auth.example.com/token',
              scopes: { 'things:write': 'Write' },
            },
          },
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        basic: { type: 'http', scheme: 'basic' },
      },
    },
  };
}

const KEPT = ['createThing', 'getThing'] as const;

function section(doc: JsonObject, name: string): JsonObject {
  const components = doc.components;
  if (!isObject(components)) throw new Error('no components');
  const entries = components[name];
  return isObject(entries) ? entries : {};
}

function pathItem(doc: JsonObject, path: string): JsonObject {
  const item = isObject(doc.paths) ? doc.paths[path] : undefined;
  if (!isObject(item)) throw new Error(`no path ${path}`);
  return item;
}

function operationIds(doc: JsonObject): string[] {
  const ids: string[] = [];
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const value of Object.values(item)) {
      if (isObject(value) && typeof value.operationId === 'string') ids.push(value.operationId);
    }
  }
  return ids.sort();
}

describe('selectOperations', () => {
  it('keeps only the listed operations; other methods on the same path go, path-level fields stay', () => {
    const selected = selectOperations(spec(), KEPT);
    expect(operationIds(selected)).toEqual(['createThing', 'getThing']);
    expect(selected.paths).toEqual({
      '/things': {
        summary: 'Things',
        parameters: [{ $ref: '#/components/parameters/Org' }],
        post: pathItem(spec(), '/things').post,
      },
      '/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: pathItem(spec(), '/things/{id}').get,
      },
    });
  });

  it('drops tags no kept operation uses, x-tagGroups and webhooks; keeps the rest of the header', () => {
    const selected = selectOperations(spec(), KEPT);
    expect(selected.tags).toEqual([{ name: 'things', description: 'Things.' }]);
    expect(selected).not.toHaveProperty('x-tagGroups');
    expect(selected).not.toHaveProperty('webhooks');
    expect(selected.openapi).toBe('3.0.3');
    expect(selected.info).toEqual({ title: 'fixture', version: '1.0.0' });
    expect(selected.security).toEqual([{ basic: [] }]);
  });

  it('does not modify the document it is given', () => {
    const input = spec();
    selectOperations(input, KEPT);
    expect(input).toEqual(spec());
  });

  it('throws MissingOperationsError naming exactly the missing operationIds', () => {
    expect(() => selectOperations(spec(), ['createThing', 'createThingV3', 'getThingV3'])).toThrow(
      MissingOperationsError,
    );
    let caught: unknown;
    try {
      selectOperations(spec(), ['createThing', 'createThingV3', 'getThingV3']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingOperationsError);
    const error = caught as MissingOperationsError;
    expect(error.name).toBe('MissingOperationsError');
    expect(error.missing).toEqual(['createThingV3', 'getThingV3']);
    expect(error.message).toContain('"createThingV3"');
    expect(error.message).toContain('"getThingV3"');
    expect(error.message).not.toContain('"createThing"');
  });

  it('removes components transitively: kept when reached through a kept component, gone when only dropped operations reach them', () => {
    const selected = selectOperations(spec(), KEPT);
    // Address is reached only through Thing -> Owner; OrgId only through the path-level Org parameter.
    expect(Object.keys(section(selected, 'schemas')).sort()).toEqual([
      'Address',
      'NewThing',
      'OrgId',
      'Owner',
      'Problem',
      'Thing',
    ]);
    expect(Object.keys(section(selected, 'parameters'))).toEqual(['Org']);
    expect(Object.keys(section(selected, 'responses'))).toEqual(['Problem']);
    expect(Object.keys(section(selected, 'requestBodies'))).toEqual(['NewThing']);
    // A section left empty disappears.
    expect(selected.components).not.toHaveProperty('examples');
    // Kept components are unchanged.
    expect(section(selected, 'schemas').Thing).toEqual(section(spec(), 'schemas').Thing);
  });

  it('keeps the security schemes that security requirements name (operation and document level)', () => {
    const selected = selectOperations(spec(), KEPT);
    // oauth: named by createThing; basic: named by the document-level requirement; apiKey: only by getOther.
    expect(Object.keys(section(selected, 'securitySchemes')).sort()).toEqual(['basic', 'oauth']);

    const withoutGlobal = spec();
    delete withoutGlobal.security;
    expect(Object.keys(section(selectOperations(withoutGlobal, ['getOther']), 'securitySchemes'))).toEqual([
      'apiKey',
    ]);
  });

  it('leaves no $ref pointing at a removed component', () => {
    const selected = selectOperations(spec(), KEPT);
    for (const ref of refsIn(selected)) {
      const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
      expect(match, ref).not.toBeNull();
      const [, sectionName = '', name = ''] = match ?? [];
      expect(section(selected, sectionName), ref).toHaveProperty([
        name.replaceAll('~1', '/').replaceAll('~0', '~'),
      ]);
    }
  });
});

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (!isObject(node)) return [];
  return [...(typeof node.$ref === 'string' ? [node.$ref] : []), ...Object.values(node).flatMap(refsIn)];
}

describe('removeUnusedComponents', () => {
  it('matches component names containing "." and "/" by their escaped JSON pointer', () => {
    const doc: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'fixture', version: '1.0.0' },
      paths: {
        '/entitlements': {
          post: {
            responses: { '201': jsonBody(schema('partner.v2.Entitlement'), { description: 'Created' }) },
          },
        },
      },
      components: {
        schemas: {
          'partner.v2.Entitlement': { type: 'object', properties: { meta: schema('meta~1v1') } },
          'meta/v1': { type: 'object', properties: { tag: schema('tilde~0name') } },
          'tilde~name': { type: 'string' },
          'partner.v2.EntitlementList': { type: 'array', items: schema('partner.v2.Entitlement') },
        },
      },
    };
    const pruned = removeUnusedComponents(doc);
    expect(Object.keys(section(pruned, 'schemas')).sort()).toEqual([
      'meta/v1',
      'partner.v2.Entitlement',
      'tilde~name',
    ]);
  });

  it('keeps a component reached only through a $ref into one of its members', () => {
    const doc: JsonObject = {
      openapi: '3.0.3',
      info: { title: 'fixture', version: '1.0.0' },
      paths: {
        '/things': {
          get: {
            responses: {
              '200': jsonBody(
                { $ref: '#/components/schemas/Thing/properties/owner' },
                { description: 'The owner of a thing' },
              ),
            },
          },
        },
      },
      components: {
        schemas: {
          Thing: { type: 'object', properties: { owner: schema('Owner') } },
          Owner: { type: 'object', properties: { name: { type: 'string' } } },
          Unused: { type: 'string' },
        },
      },
    };
    const pruned = removeUnusedComponents(doc);
    expect(Object.keys(section(pruned, 'schemas')).sort()).toEqual(['Owner', 'Thing']);
  });

  it('returns a document without components unchanged', () => {
    const doc: JsonObject = { openapi: '3.0.3', info: { title: 'fixture', version: '1.0.0' }, paths: {} };
    expect(removeUnusedComponents(doc)).toEqual({
      openapi: '3.0.3',
      info: { title: 'fixture', version: '1.0.0' },
      paths: {},
    });
  });
});
