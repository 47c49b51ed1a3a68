/**
 * The fixture in the shape of the vendor's real full spec (test/fixtures/confluent-real-shape):
 * its build script reproduces it, and it has the features the real editions have.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { confluentCodegen } from '../../scripts/confluent/config.ts';
import { operationsOf, resolveLocalRef } from '../../scripts/confluent/openapi-walk.ts';
import { isObject, type JsonObject } from '../../scripts/lib/json.ts';
import { repoRoot, runNode } from './repo-copy.ts';

const DIR = path.join(repoRoot, 'test/fixtures/confluent-real-shape');
const text = await readFile(path.join(DIR, 'openapi.yaml'), 'utf8');
const doc = parse(text) as JsonObject;
const schemas = (doc.components as JsonObject).schemas as Record<string, JsonObject>;
const entitlement = schemas['partner.v2.Entitlement'] as { properties: Record<string, JsonObject> };

let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function every(node: unknown, test: (node: JsonObject) => boolean): JsonObject[] {
  if (Array.isArray(node)) return node.flatMap((child) => every(child, test));
  if (!isObject(node)) return [];
  return [...(test(node) ? [node] : []), ...Object.values(node).flatMap((child) => every(child, test))];
}

describe('the real-shape fixture', () => {
  it('is what its build script writes', async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'real-shape-'));
    const out = path.join(tmp, 'openapi.yaml');
    const built = await runNode(repoRoot, [path.join(DIR, 'build.ts'), out]);
    expect(built.code, built.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(text);
  });

  it('lists plan and product ids with x-extensible-enum, the product ids in a shared component', () => {
    expect(entitlement.properties.plan_id).toMatchObject({ 'x-extensible-enum': expect.any(Array) });
    expect(entitlement.properties.plan_id).not.toHaveProperty('enum');
    expect(entitlement.properties.product_id).toEqual({ $ref: '#/components/schemas/partner.v2.ProductId' });
    expect(schemas['partner.v2.ProductId']).toMatchObject({ 'x-extensible-enum': expect.any(Array) });
  });

  it('has $ref parameters whose schemas are $refs (organization.id -> SearchFilter)', () => {
    const get = [...operationsOf(doc)].find(
      ({ operation }) => operation.operationId === 'getPartnerV2Entitlement',
    );
    const parameters = (get?.operation.parameters ?? []) as JsonObject[];
    expect(parameters.length).toBeGreaterThan(0);
    for (const parameter of parameters) expect(Object.keys(parameter)).toEqual(['$ref']);
    const organization = parameters
      .map((parameter) => resolveLocalRef(doc, parameter.$ref) as JsonObject)
      .find((parameter) => parameter.name === 'organization.id');
    expect(organization).toMatchObject({
      in: 'query',
      schema: { $ref: '#/components/schemas/SearchFilter' },
    });
  });

  it('has nullable beside $ref and beside type, and components that reference each other', () => {
    expect(
      every(doc, (node) => typeof node.$ref === 'string' && node.nullable === true).length,
    ).toBeGreaterThan(0);
    expect(
      every(doc, (node) => typeof node.type === 'string' && node.nullable === true).length,
    ).toBeGreaterThan(0);
    expect(JSON.stringify(schemas.Failure)).toContain('#/components/schemas/Error');
    expect(JSON.stringify(schemas.Error)).toContain('#/components/schemas/ErrorSource');
    expect(JSON.stringify(entitlement)).toContain('#/components/schemas/ObjectMeta');
  });

  it('has operations without security, a path with a query, and 200+ operations besides the two used', () => {
    expect(doc).not.toHaveProperty('security');
    const operations = [...operationsOf(doc)];
    expect(operations.filter(({ operation }) => operation.security === undefined).length).toBeGreaterThan(0);
    expect(Object.keys(doc.paths as JsonObject).some((key) => key.includes('?'))).toBe(true);
    const used: readonly unknown[] = confluentCodegen.operationIds;
    expect(
      operations.filter(({ operation }) => !used.includes(operation.operationId)).length,
    ).toBeGreaterThanOrEqual(200);
  });
});
