/**
 * Walks an OpenAPI 3.0 document the way the normalisations need it: every operation, every request
 * body, and every schema object wherever it sits (components, parameters, bodies, responses,
 * headers, and nested inside other schemas). References are not followed, so each schema is visited
 * once where it is written.
 */

import { HTTP_METHODS } from '../../src/openapi/operation-schemas.ts';
import { isObject, type JsonObject } from '../lib/json.ts';

export { HTTP_METHODS };

export interface OperationVisit {
  path: string;
  method: string;
  operation: JsonObject;
}

export function* operationsOf(doc: JsonObject): Generator<OperationVisit> {
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (isObject(operation)) yield { path, method, operation };
    }
  }
}

const SCHEMA_MAP_KEYS = ['properties', 'patternProperties'] as const;
const SCHEMA_LIST_KEYS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const SCHEMA_SINGLE_KEYS = ['items', 'not', 'additionalProperties'] as const;

/** Calls `visit` on a schema and every schema nested in it (references are not followed). */
export function visitSchemaTree(schema: unknown, visit: (schema: JsonObject) => void): void {
  if (!isObject(schema)) return;
  visit(schema);
  for (const key of SCHEMA_MAP_KEYS) {
    const map = schema[key];
    if (isObject(map)) for (const child of Object.values(map)) visitSchemaTree(child, visit);
  }
  for (const key of SCHEMA_LIST_KEYS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) visitSchemaTree(child, visit);
  }
  for (const key of SCHEMA_SINGLE_KEYS) visitSchemaTree(schema[key], visit);
}

function visitContent(content: unknown, visit: (schema: JsonObject) => void): void {
  if (!isObject(content)) return;
  for (const media of Object.values(content)) if (isObject(media)) visitSchemaTree(media.schema, visit);
}

function visitHeaders(headers: unknown, visit: (schema: JsonObject) => void): void {
  if (!isObject(headers)) return;
  for (const header of Object.values(headers)) {
    if (!isObject(header)) continue;
    visitSchemaTree(header.schema, visit);
    visitContent(header.content, visit);
  }
}

function visitParameters(parameters: unknown, visit: (schema: JsonObject) => void): void {
  if (!Array.isArray(parameters)) return;
  for (const parameter of parameters) {
    if (!isObject(parameter)) continue;
    visitSchemaTree(parameter.schema, visit);
    visitContent(parameter.content, visit);
  }
}

function visitResponses(responses: unknown, visit: (schema: JsonObject) => void): void {
  if (!isObject(responses)) return;
  for (const response of Object.values(responses)) {
    if (!isObject(response)) continue;
    visitHeaders(response.headers, visit);
    visitContent(response.content, visit);
  }
}

/** Calls `visit` on every schema object in the document, outer schemas before the ones inside them. */
export function visitSchemas(doc: JsonObject, visit: (schema: JsonObject) => void): void {
  const components = isObject(doc.components) ? doc.components : {};
  if (isObject(components.schemas)) {
    for (const schema of Object.values(components.schemas)) visitSchemaTree(schema, visit);
  }
  visitParameters(Object.values(isObject(components.parameters) ? components.parameters : {}), visit);
  visitHeaders(components.headers, visit);
  visitResponses(components.responses, visit);
  if (isObject(components.requestBodies)) {
    for (const body of Object.values(components.requestBodies)) {
      if (isObject(body)) visitContent(body.content, visit);
    }
  }
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const item of Object.values(paths)) if (isObject(item)) visitParameters(item.parameters, visit);
  for (const { operation } of operationsOf(doc)) {
    visitParameters(operation.parameters, visit);
    if (isObject(operation.requestBody)) visitContent(operation.requestBody.content, visit);
    visitResponses(operation.responses, visit);
  }
}

export { derefSchema, resolveLocalRef } from '../../src/openapi/json-pointer.ts';
