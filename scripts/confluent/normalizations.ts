/**
 * Named normalisations of quirks in the vendor's published OpenAPI documents (DESIGN section 6).
 *
 * Each one is a small, independent function that edits the bundled document in place and returns
 * how many places it changed, so `npm run generate` can report which quirks a new vendor YAML still
 * has (a normalisation that changes nothing is harmless). None of them names a field, enum value or
 * path of the vendor's API: they fix shapes, never content.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isObject, type JsonObject } from '../lib/json.ts';
import { derefSchema, operationsOf, visitSchemas } from './openapi-walk.ts';

export interface Normalization {
  name: string;
  description: string;
  apply(doc: JsonObject): number;
}

/** The fixed fields of an OpenAPI 3.0 Operation Object; anything else must start with `x-`. */
const OPERATION_FIELDS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
  'security',
  'servers',
]);

/** Drops keys that OpenAPI 3.0 does not allow on an operation (the docs site's `jsonRequestBodyExample`). */
export function removeNonStandardOperationKeys(doc: JsonObject): number {
  let changes = 0;
  for (const { operation } of operationsOf(doc)) {
    for (const key of Object.keys(operation)) {
      if (!OPERATION_FIELDS.has(key) && !key.startsWith('x-')) {
        delete operation[key];
        changes++;
      }
    }
  }
  return changes;
}

/** A member of `allOf` that only adds `required` names (optionally restating `type: object`). */
function isRequiredOnly(schema: unknown): schema is JsonObject & { required: string[] } {
  if (!isObject(schema) || !Array.isArray(schema.required)) return false;
  return Object.keys(schema).every(
    (key) => key === 'required' || (key === 'type' && schema.type === 'object'),
  );
}

/**
 * `allOf: [<object schema>, {required: [...]}]` becomes one object schema whose `required` lists
 * both. openapi-typescript turns the required-only member into `Record<string, never>` (no value
 * satisfies the intersection) or `unknown` (the names stay optional). When the object member is a
 * `$ref`, the referenced schema is copied into place so the shared component is left untouched.
 */
export function hoistAllOfRequired(doc: JsonObject): number {
  let changes = 0;
  visitSchemas(doc, (schema) => {
    const members = schema.allOf;
    if (!Array.isArray(members) || members.length < 2) return;
    const constraints = members.filter(isRequiredOnly);
    const bases = members.filter((member) => !isRequiredOnly(member));
    if (constraints.length === 0 || bases.length !== 1) return;
    const base = derefSchema(doc, bases[0]);
    if (!base || base.allOf !== undefined) return;
    const required = new Set<string>(Array.isArray(base.required) ? base.required : []);
    for (const constraint of constraints) for (const name of constraint.required) required.add(name);
    const { allOf: _allOf, ...siblings } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, structuredClone(base), siblings, { required: [...required] });
    changes++;
  });
  return changes;
}

/**
 * Removes names from `required` that the schema's `properties` do not define (the request's
 * `organization` requires `related`, which only the response schema defines). With
 * `additionalProperties: false` no value could satisfy such a schema.
 */
export function dropUndefinedRequired(doc: JsonObject): number {
  let changes = 0;
  visitSchemas(doc, (schema) => {
    if (!isObject(schema.properties) || !Array.isArray(schema.required)) return;
    const properties = schema.properties;
    const kept = schema.required.filter((name) => typeof name === 'string' && name in properties);
    if (kept.length === schema.required.length) return;
    changes += schema.required.length - kept.length;
    if (kept.length > 0) schema.required = kept;
    else delete schema.required;
  });
  return changes;
}

/**
 * Marks a request body `required: true` when its schema requires properties: a body that must have
 * fields cannot be left out, and openapi-typescript would otherwise type the whole body optional.
 */
export function requireRequestBodies(doc: JsonObject): number {
  let changes = 0;
  for (const { operation } of operationsOf(doc)) {
    const body = derefSchema(doc, operation.requestBody);
    if (!body || body.required === true || !isObject(body.content)) continue;
    const needsFields = Object.values(body.content).some((media) => {
      const schema = isObject(media) ? derefSchema(doc, media.schema) : undefined;
      return Array.isArray(schema?.required) && schema.required.length > 0;
    });
    if (needsFields) {
      body.required = true;
      changes++;
    }
  }
  return changes;
}

const isUri = fullFormats.uri as (value: string) => boolean;

/** Drops `example` values of `format: uri` schemas that are not URIs (the Location `.../{id}` templates). */
export function dropNonUriExamples(doc: JsonObject): number {
  let changes = 0;
  visitSchemas(doc, (schema) => {
    if (schema.format !== 'uri' || typeof schema.example !== 'string' || isUri(schema.example)) return;
    delete schema.example;
    changes++;
  });
  return changes;
}

/**
 * A property that is only a `$ref` to a `readOnly` schema (the full spec's `metadata`) becomes
 * `allOf: [$ref]` with `readOnly: true`: OpenAPI 3.0 ignores siblings of `$ref` and
 * openapi-typescript does not look through the reference, so the property would otherwise be
 * accepted in request bodies.
 */
export function markReadOnlyReferences(doc: JsonObject): number {
  let changes = 0;
  visitSchemas(doc, (schema) => {
    if (!isObject(schema.properties)) return;
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!isObject(property) || typeof property.$ref !== 'string' || Object.keys(property).length !== 1)
        continue;
      if (derefSchema(doc, property)?.readOnly !== true) continue;
      schema.properties[name] = { allOf: [{ $ref: property.$ref }], readOnly: true };
      changes++;
    }
  });
  return changes;
}

/** In order: hoisting must run before dropping undefined names and before marking bodies required. */
export const normalizations: readonly Normalization[] = [
  {
    name: 'remove-non-standard-operation-keys',
    description: 'drop operation keys OpenAPI 3.0 does not define (jsonRequestBodyExample)',
    apply: removeNonStandardOperationKeys,
  },
  {
    name: 'hoist-allof-required',
    description: 'merge required-only allOf members into their object schema',
    apply: hoistAllOfRequired,
  },
  {
    name: 'drop-undefined-required',
    description: 'remove required names the schema does not define',
    apply: dropUndefinedRequired,
  },
  {
    name: 'require-request-bodies',
    description: 'mark request bodies whose schema has required fields as required',
    apply: requireRequestBodies,
  },
  {
    name: 'drop-non-uri-examples',
    description: 'remove examples of format: uri that are not URIs',
    apply: dropNonUriExamples,
  },
  {
    name: 'mark-read-only-references',
    description: 'carry readOnly of a referenced schema onto the property that references it',
    apply: markReadOnlyReferences,
  },
];

export function normalize(doc: JsonObject): Record<string, number> {
  const report: Record<string, number> = {};
  for (const normalization of normalizations) report[normalization.name] = normalization.apply(doc);
  return report;
}
