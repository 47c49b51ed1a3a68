/**
 * The request validator on small documents: `$ref`s resolve against the whole document wherever
 * they sit (parameters, bodies, components that reference each other), and every problem names
 * its operation and its field or parameter.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../scripts/lib/json.ts';
import {
  compileOperationSchemas,
  createOperationValidator,
  SchemaCompileError,
} from '../../src/openapi/compile-validators.ts';
import { UnresolvedReferenceError } from '../../src/openapi/operation-schemas.ts';

/** Parameters and bodies behind `$ref`s, as in the vendor's full spec. */
function referencedDocument(): JsonObject {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1' },
    paths: {
      '/things': {
        post: {
          operationId: 'createThing',
          requestBody: { $ref: '#/components/requestBodies/NewThing' },
          responses: { '201': { description: 'Created' } },
        },
      },
      '/things/{id}': {
        parameters: [{ $ref: '#/components/parameters/ThingId' }],
        get: {
          operationId: 'getThing',
          parameters: [
            { $ref: '#/components/parameters/OrganizationId' },
            { name: 'page_size', in: 'query', schema: { $ref: '#/components/schemas/PageSize' } },
          ],
          responses: { '200': { description: 'OK' } },
        },
      },
    },
    components: {
      parameters: {
        ThingId: { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 8 } },
        OrganizationId: {
          name: 'organization.id',
          in: 'query',
          required: false,
          schema: { $ref: '#/components/schemas/SearchFilter' },
        },
      },
      requestBodies: {
        NewThing: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
        },
      },
      schemas: {
        SearchFilter: { $ref: '#/components/schemas/ShortString' },
        ShortString: { type: 'string', minLength: 1, maxLength: 5 },
        PageSize: { type: 'integer', maximum: 100 },
        Thing: {
          type: 'object',
          required: ['id', 'name', 'owner'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', readOnly: true },
            name: { $ref: '#/components/schemas/ShortString' },
            owner: { $ref: '#/components/schemas/Reference' },
          },
        },
        Reference: {
          type: 'object',
          required: ['id'],
          properties: { id: { $ref: '#/components/schemas/ShortString' } },
        },
      },
    },
  };
}

describe('parameters behind $refs', () => {
  const validator = createOperationValidator(referencedDocument(), 'getThing');

  it('accepts valid values, with the path-level parameter and the $ref chains resolved', () => {
    expect(
      validator.validateParameters({ path: { id: 'ent-1' }, query: { 'organization.id': 'org' } }),
    ).toEqual([]);
    expect(validator.validateParameters({ path: { id: 'ent-1' } })).toEqual([]);
    expect(validator.method).toBe('GET');
    expect(validator.path).toBe('/things/{id}');
  });

  it('checks the referenced schema and names the operation and the parameter', () => {
    const issues = validator.validateParameters({
      path: { id: 'ent-1' },
      query: { 'organization.id': 'organization-too-long' },
    });
    expect(issues).toEqual([
      {
        operationId: 'getThing',
        in: 'query',
        parameter: 'organization.id',
        reason: 'invalid',
        message: 'query parameter "organization.id" of getThing must NOT have more than 5 characters',
      },
    ]);
  });

  it('reports a missing path parameter, an unknown one and a wrong type, each by name', () => {
    const issues = validator.validateParameters({ path: {}, query: { page_size: 'ten', color: 'red' } });
    expect(issues.map((issue) => [issue.in, issue.parameter, issue.reason])).toEqual([
      ['path', 'id', 'missing'],
      ['query', 'color', 'unknown'],
      ['query', 'page_size', 'invalid'],
    ]);
    for (const issue of issues) {
      expect(issue.message).toContain('getThing');
      expect(issue.message).toContain(JSON.stringify(issue.parameter));
    }
  });

  it('treats undefined values as absent', () => {
    expect(
      validator.validateParameters({ path: { id: 'a' }, query: { 'organization.id': undefined } }),
    ).toEqual([]);
  });
});

describe('bodies behind $refs', () => {
  const validator = createOperationValidator(referencedDocument(), 'createThing');

  it('follows the requestBody $ref and components that reference each other', () => {
    expect(validator.bodyRequired).toBe(true);
    expect(validator.validateBody({ name: 'a', owner: { id: 'o' } })).toEqual([]);
    const issues = validator.validateBody({ name: 'far too long', owner: {}, color: 1 });
    expect(issues.map((issue) => [issue.pointer, issue.reason])).toEqual([
      ['/color', 'unknown'],
      ['/name', 'invalid'],
      ['/owner/id', 'missing'],
    ]);
    for (const issue of issues) {
      expect(issue.in).toBe('body');
      expect(issue.message).toContain(issue.pointer);
      expect(issue.message).toContain('createThing');
    }
  });

  it('does not require readOnly fields in requests (the write view)', () => {
    expect(validator.validateBody({ name: 'a', owner: { id: 'o' } })).toEqual([]);
  });

  it('requires the body when the document says so', () => {
    expect(validator.validateBody(undefined)).toMatchObject([{ pointer: '/', reason: 'missing' }]);
  });

  it('leaves the given document unchanged', () => {
    const doc = referencedDocument();
    const before = structuredClone(doc);
    compileOperationSchemas(doc);
    expect(doc).toEqual(before);
  });
});

describe('documents that cannot be compiled', () => {
  it('name the operation and the parameter whose schema fails to compile', () => {
    const doc = referencedDocument();
    ((doc.components as JsonObject).schemas as JsonObject).SearchFilter = {
      $ref: '#/components/schemas/Missing',
    };
    expect(() => createOperationValidator(doc, 'getThing')).toThrow(SchemaCompileError);
    expect(() => createOperationValidator(doc, 'getThing')).toThrow(
      /query parameter "organization\.id" of getThing: .*Missing/,
    );
  });

  it('name the operation whose parameter $ref does not resolve', () => {
    const doc = referencedDocument();
    delete ((doc.components as JsonObject).parameters as JsonObject).OrganizationId;
    expect(() => createOperationValidator(doc, 'getThing')).toThrow(UnresolvedReferenceError);
    expect(() => createOperationValidator(doc, 'getThing')).toThrow(/getThing.*#\/components\/parameters/);
  });

  it('name an operation the document does not have', () => {
    expect(() => createOperationValidator(referencedDocument(), 'deleteThing')).toThrow(/deleteThing/);
  });
});
