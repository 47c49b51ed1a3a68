/**
 * The change report of `npm run generate` on small documents: each kind of change, on the request
 * side and on the response side, and which of them are breaking.
 */
import { describe, expect, it } from 'vitest';
import { diffOperations, formatChanges, type SpecChange } from '../../scripts/confluent/spec-diff.ts';
import type { JsonObject } from '../../scripts/lib/json.ts';

interface Parts {
  request?: JsonObject;
  response?: JsonObject;
  parameters?: JsonObject[];
}

function entitlement(extra: JsonObject = {}): JsonObject {
  return {
    type: 'object',
    required: ['name', 'plan'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string', maxLength: 100 },
      plan: { type: 'string', enum: ['basic', 'pro'] },
      secret: { type: 'string', writeOnly: true },
      owner: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    },
    ...extra,
  };
}

/** One operation `createThing`; `parts` replaces its request schema, response schema or parameters. */
function doc(parts: Parts = {}): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1' },
    paths: {
      '/things': {
        post: {
          operationId: 'createThing',
          parameters: parts.parameters ?? [{ name: 'org', in: 'query', schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: parts.request ?? entitlement() } },
          },
          responses: {
            '201': {
              description: 'Created',
              content: { 'application/json': { schema: parts.response ?? entitlement() } },
            },
          },
        },
      },
    },
  };
}

function changes(after: Parts): Omit<SpecChange, 'operationId'>[] {
  return diffOperations(doc(), doc(after), ['createThing']).map(({ operationId, ...change }) => {
    expect(operationId).toBe('createThing');
    return change;
  });
}

/** A copy of the entitlement schema whose `plan` property is `plan`. */
function withPlan(plan: JsonObject): JsonObject {
  return edited((s) => {
    s.properties.plan = plan;
  });
}

/** Edits a copy of the entitlement schema. */
function edited(
  edit: (schema: { properties: Record<string, JsonObject>; required: string[] }) => void,
): JsonObject {
  const schema = entitlement() as { properties: Record<string, JsonObject>; required: string[] };
  edit(schema);
  return schema;
}

describe('diffOperations', () => {
  it('finds nothing between equal documents', () => {
    expect(changes({})).toEqual([]);
  });

  describe('on the request side (what callers send)', () => {
    const where = 'request body';

    it('an added enum value is not breaking, a removed one is', () => {
      const request = edited((s) => {
        s.properties.plan = { type: 'string', enum: ['pro', 'enterprise'] };
      });
      expect(changes({ request })).toEqual([
        { where, field: 'plan', description: 'enum value "enterprise" added', breaking: false },
        { where, field: 'plan', description: 'enum value "basic" removed', breaking: true },
      ]);
    });

    it('a new optional field is not breaking, a new required field and a removed field are', () => {
      const request = edited((s) => {
        s.properties.note = { type: 'string' };
        s.properties.region = { type: 'string' };
        s.required.push('region');
        delete s.properties.owner;
      });
      expect(changes({ request })).toEqual([
        { where, field: 'note', description: 'field added', breaking: false },
        { where, field: 'region', description: 'field added (required)', breaking: true },
        { where, field: 'owner', description: 'field removed', breaking: true },
      ]);
    });

    it('a field that becomes required is breaking, one that becomes optional is not', () => {
      const request = edited((s) => {
        s.required = ['plan', 'owner'];
      });
      expect(changes({ request })).toEqual([
        { where, field: 'name', description: 'no longer required', breaking: false },
        { where, field: 'owner', description: 'now required', breaking: true },
      ]);
    });

    it('a tighter or new limit is breaking, a looser or dropped one is not', () => {
      const tighter = edited((s) => {
        s.properties.name = { type: 'string', maxLength: 50, minLength: 1 };
        s.properties.owner = {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^o-' } },
        };
      });
      expect(changes({ request: tighter })).toEqual([
        { where, field: 'name', description: 'minLength 1 added', breaking: true },
        { where, field: 'name', description: 'maxLength 100 -> 50', breaking: true },
        { where, field: 'owner.id', description: 'pattern "^o-" added', breaking: true },
      ]);
      const looser = edited((s) => {
        s.properties.name = { type: 'string', maxLength: 200 };
      });
      expect(changes({ request: looser })).toEqual([
        { where, field: 'name', description: 'maxLength 100 -> 200', breaking: false },
      ]);
      const unlimited = edited((s) => {
        s.properties.name = { type: 'string' };
      });
      expect(changes({ request: unlimited })).toEqual([
        { where, field: 'name', description: 'maxLength 100 removed', breaking: false },
      ]);
    });

    it('another type is breaking, and nested fields are named by their dotted path', () => {
      const request = edited((s) => {
        s.properties.owner = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } };
      });
      expect(changes({ request })).toEqual([
        { where, field: 'owner.id', description: 'type string -> integer', breaking: true },
      ]);
    });

    it('an x-extensible-enum closed for requests compares like an enum', () => {
      const before = doc({
        request: withPlan({ type: 'string', enum: ['a'] }),
      });
      const after = doc({
        request: withPlan({ type: 'string', enum: ['a', 'b'] }),
      });
      expect(diffOperations(before, after, ['createThing'])).toMatchObject([
        { field: 'plan', description: 'enum value "b" added', breaking: false },
      ]);
    });

    it('ignores readOnly fields (never sent)', () => {
      const request = edited((s) => {
        s.properties.id = { type: 'integer', readOnly: true };
        s.properties.created = { type: 'string', readOnly: true };
      });
      expect(changes({ request })).toEqual([]);
    });

    it('parameters: a new required one and a removed one are breaking, a new optional one is not', () => {
      expect(
        changes({
          parameters: [
            { name: 'page', in: 'query', schema: { type: 'integer' } },
            { name: 'region', in: 'query', required: true, schema: { type: 'string' } },
          ],
        }),
      ).toEqual([
        { where: 'query parameter page', field: '', description: 'added', breaking: false },
        { where: 'query parameter region', field: '', description: 'added (required)', breaking: true },
        { where: 'query parameter org', field: '', description: 'removed', breaking: true },
      ]);
      expect(
        changes({ parameters: [{ name: 'org', in: 'query', schema: { type: 'string', maxLength: 10 } }] }),
      ).toEqual([
        { where: 'query parameter org', field: '', description: 'maxLength 10 added', breaking: true },
      ]);
    });
  });

  describe('on the response side (what callers read)', () => {
    const where = 'response 201';

    it('a removed field and a field no longer required are breaking, a new field is not', () => {
      const response = edited((s) => {
        delete s.properties.owner;
        s.properties.note = { type: 'string' };
        s.required = ['plan'];
      });
      expect(changes({ response })).toEqual([
        { where, field: 'name', description: 'no longer required', breaking: true },
        { where, field: 'note', description: 'field added', breaking: false },
        { where, field: 'owner', description: 'field removed', breaking: true },
      ]);
    });

    it('a new value in a closed enum is breaking, in an open list it is not; a removed value is not', () => {
      const closed = edited((s) => {
        s.properties.plan = { type: 'string', enum: ['basic', 'pro', 'enterprise'] };
      });
      expect(changes({ response: closed })).toEqual([
        { where, field: 'plan', description: 'enum value "enterprise" added', breaking: true },
      ]);
      const open = (values: string[]) =>
        doc({
          response: withPlan({ type: 'string', 'x-extensible-enum': values }),
        });
      expect(
        diffOperations(open(['basic', 'pro']), open(['pro', 'enterprise']), ['createThing']),
      ).toMatchObject([
        { where, field: 'plan', description: 'known value "enterprise" added', breaking: false },
        { where, field: 'plan', description: 'known value "basic" removed', breaking: false },
      ]);
    });

    it('null where there was none is breaking; limits are only reported', () => {
      const response = edited((s) => {
        s.properties.name = { type: 'string', nullable: true, maxLength: 10 };
      });
      expect(changes({ response })).toEqual([
        { where, field: 'name', description: 'may now be null', breaking: true },
        { where, field: 'name', description: 'maxLength 100 -> 10', breaking: false },
      ]);
    });

    it('ignores writeOnly fields (never returned)', () => {
      const response = edited((s) => {
        delete s.properties.secret;
      });
      expect(changes({ response })).toEqual([]);
    });
  });

  it('follows $refs and merges allOf, so moving a schema into components is no change', () => {
    const before = doc();
    const after = doc({ request: { allOf: [{ $ref: '#/components/schemas/Thing' }] } });
    after.components = { schemas: { Thing: entitlement() } };
    expect(diffOperations(before, after, ['createThing'])).toEqual([]);
  });
});

describe('formatChanges', () => {
  it('groups by operation and place, marks breaking changes and counts them', () => {
    const request = edited((s) => {
      s.properties.plan = { type: 'string', enum: ['pro', 'enterprise'] };
    });
    expect(formatChanges(diffOperations(doc(), doc({ request }), ['createThing']))).toEqual([
      '  createThing request body:',
      '    plan: enum value "enterprise" added',
      '    **breaking** plan: enum value "basic" removed',
      '  2 changes, 1 breaking',
    ]);
    expect(formatChanges([])).toEqual(['  no change in the operations the library uses']);
  });
});
