/**
 * Named normalisations of quirks in the vendor's published OpenAPI documents.
 *
 * Each one is a small, independent function that edits the bundled document in place and returns
 * how many places it changed, so `npm run generate` can report which quirks a new vendor YAML still
 * has (a normalisation that changes nothing is harmless). None of them names a field, enum value or
 * path of the vendor's API: they fix shapes, never content.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isObject, type JsonObject } from '../lib/json.ts';
import { derefSchema, operationsOf, resolveLocalRef, visitSchemas, visitSchemaTree } from './openapi-walk.ts';

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

/**
 * `nullable: true` beside a `$ref` (OpenAPI 3.0 ignores every sibling of `$ref`, and a validator
 * refuses `nullable` without `type`) becomes what the vendor means: the referenced schema or null.
 * The null alternative is `{type: string, nullable: true, enum: [null]}`: OpenAPI 3.0 can only
 * admit null through `nullable` on a typed schema, and `enum: [null]` admits nothing else.
 */
export function nullableReferences(doc: JsonObject): number {
  let changes = 0;
  const rewrite = (schema: JsonObject): void => {
    if (typeof schema.$ref !== 'string' || schema.nullable !== true) return;
    const { $ref, nullable: _nullable, ...siblings } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, siblings, {
      anyOf: [{ $ref }, { type: 'string', nullable: true, enum: [null] }],
    });
    changes++;
  };
  visitSchemas(doc, rewrite);
  return changes;
}

const EXTENSIBLE = 'x-extensible-enum';
const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

function schemaName(ref: unknown): string | undefined {
  const name = typeof ref === 'string' ? SCHEMA_REF.exec(ref)?.[1] : undefined;
  return name === undefined ? undefined : name.replaceAll('~1', '/').replaceAll('~0', '~');
}

function schemaRef(name: string): string {
  return `#/components/schemas/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Component schemas reached from `roots`, through `$ref`s of any section, transitively. */
function reachedSchemas(doc: JsonObject, roots: unknown[]): Set<string> {
  const reached = new Set<string>();
  const seen = new Set<unknown>();
  const queue = [...roots];
  while (queue.length > 0) {
    const node = queue.pop();
    if (Array.isArray(node)) {
      queue.push(...node);
      continue;
    }
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    if (typeof node.$ref === 'string') {
      const name = schemaName(node.$ref);
      if (name !== undefined) reached.add(name);
      queue.push(resolveLocalRef(doc, node.$ref));
    }
    queue.push(...Object.values(node));
  }
  return reached;
}

/** The parts of the document that requests use, and those that responses use. */
function requestAndResponseRoots(doc: JsonObject): { request: unknown[]; response: unknown[] } {
  const request: unknown[] = [];
  const response: unknown[] = [];
  const components = isObject(doc.components) ? doc.components : {};
  request.push(components.parameters, components.requestBodies);
  response.push(components.responses, components.headers);
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {}))
    if (isObject(item)) request.push(item.parameters);
  for (const { operation } of operationsOf(doc)) {
    request.push(operation.parameters, operation.requestBody);
    response.push(operation.responses);
  }
  return { request, response };
}

/**
 * `x-extensible-enum` lists the values known today; more may come. What the library sends must be
 * one of them (a typo must not reach the vendor), while what it reads may be a value added later.
 * So in request bodies and parameters it becomes a closed `enum`; in responses it stays as it is
 * (code generation types it as the known values or any other string). A component schema that
 * both requests and responses reach, and that holds such a list (itself or through its
 * references), gets a request copy `<name>.request`, used by the request side only.
 */
export function closeExtensibleEnumsInRequests(doc: JsonObject): number {
  const components = isObject(doc.components) ? doc.components : undefined;
  const schemas = components && isObject(components.schemas) ? components.schemas : {};
  let changes = 0;

  const holds = new Map<string, boolean>();
  const holdsExtensible = (name: string, visiting = new Set<string>()): boolean => {
    const known = holds.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return false;
    visiting.add(name);
    let found = false;
    const refs = new Set<string>();
    visitSchemaTree(schemas[name], (schema) => {
      if (Array.isArray(schema[EXTENSIBLE])) found = true;
      const ref = schemaName(schema.$ref);
      if (ref !== undefined) refs.add(ref);
    });
    for (const ref of refs) if (!found && ref in schemas) found = holdsExtensible(ref, visiting);
    holds.set(name, found);
    return found;
  };

  const roots = requestAndResponseRoots(doc);
  const requested = reachedSchemas(doc, roots.request);
  const responded = reachedSchemas(doc, roots.response);
  const split = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    if (!requested.has(name) || !responded.has(name) || !holdsExtensible(name)) continue;
    let copy = `${name}.request`;
    for (let n = 2; copy in schemas; n++) copy = `${name}.request${n}`;
    split.set(name, copy);
  }

  /** Closes the lists in one schema tree (not through references) and points it at request copies. */
  const toRequestView = (tree: unknown): void =>
    visitSchemaTree(tree, (schema) => {
      const ref = schemaName(schema.$ref);
      const copy = ref === undefined ? undefined : split.get(ref);
      if (copy !== undefined) schema.$ref = schemaRef(copy);
      const values = schema[EXTENSIBLE];
      if (!Array.isArray(values)) return;
      if (!Array.isArray(schema.enum))
        schema.enum = schema.nullable === true && !values.includes(null) ? [...values, null] : [...values];
      delete schema[EXTENSIBLE];
      changes++;
    });

  for (const [name, copy] of split) {
    schemas[copy] = structuredClone(schemas[name]);
    changes++;
  }
  for (const name of Object.keys(schemas)) {
    const requestOnly = requested.has(name) && !responded.has(name);
    if (requestOnly || [...split.values()].includes(name)) toRequestView(schemas[name]);
  }
  // Inline schemas on the request side: parameters and request bodies, wherever they sit.
  const requestTrees: unknown[] = [];
  const collect = (parameters: unknown): void => {
    if (!Array.isArray(parameters) && !isObject(parameters)) return;
    for (const parameter of Object.values(parameters)) {
      if (!isObject(parameter)) continue;
      requestTrees.push(parameter.schema);
      for (const media of Object.values(isObject(parameter.content) ? parameter.content : {}))
        if (isObject(media)) requestTrees.push(media.schema);
    }
  };
  const bodies: unknown[] = [];
  if (components) {
    collect(components.parameters);
    if (isObject(components.requestBodies)) bodies.push(...Object.values(components.requestBodies));
  }
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {}))
    if (isObject(item)) collect(item.parameters);
  for (const { operation } of operationsOf(doc)) {
    collect(operation.parameters);
    bodies.push(operation.requestBody);
  }
  for (const body of bodies) {
    if (!isObject(body) || !isObject(body.content)) continue;
    for (const media of Object.values(body.content)) if (isObject(media)) requestTrees.push(media.schema);
  }
  for (const tree of requestTrees) toRequestView(tree);
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
  {
    name: 'nullable-references',
    description: 'nullable beside $ref becomes "the referenced schema or null"',
    apply: nullableReferences,
  },
  {
    name: 'close-extensible-enums-in-requests',
    description:
      'x-extensible-enum becomes a closed enum in requests (shared components get a request copy); responses keep the open list',
    apply: closeExtensibleEnumsInRequests,
  },
];

export function normalize(doc: JsonObject): Record<string, number> {
  const report: Record<string, number> = {};
  for (const normalization of normalizations) report[normalization.name] = normalization.apply(doc);
  return report;
}
