/**
 * Validates a request against one operation of an OpenAPI 3.0 document: the JSON body against its
 * schema, and path and query parameters against theirs. Used by the Confluent adapter (to refuse a
 * bad request before sending it) and by the Confluent emulator (to answer 400 like the vendor).
 *
 * Requests see the "write view" of the schemas: per OpenAPI 3.0, a `readOnly` property listed in
 * `required` is required in responses only.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { derefSchema, isObject, type JsonObject } from './json-pointer.ts';

// ajv-formats is CommonJS with `exports.default`: under Node's ESM loader the plugin sits one level down.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (formats as unknown as { default?: FormatsPlugin }).default ?? (formats as unknown as FormatsPlugin);

/** One problem, located the way the vendor's error `source` does it. */
export interface RequestIssue {
  /** JSON pointer into the body (`/plan_id`), for body problems. */
  pointer?: string;
  /** The parameter's name, for path and query problems. */
  parameter?: string;
  message: string;
}

export interface OperationValidator {
  readonly method: string;
  readonly path: string;
  validateBody(body: unknown): RequestIssue[];
  validateParameters(values: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
  }): RequestIssue[];
  /** True when the operation requires a body. */
  readonly bodyRequired: boolean;
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A copy of the document in which no `readOnly` property is required (the request view). */
function writeView(doc: JsonObject): JsonObject {
  const view = structuredClone(doc);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isObject(node)) return;
    if (isObject(node.properties) && Array.isArray(node.required)) {
      const properties = node.properties;
      node.required = node.required.filter(
        (name) => derefSchema(view, properties[String(name)])?.readOnly !== true,
      );
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(view);
  return view;
}

function issueFromAjv(error: ErrorObject, parameter?: string): RequestIssue {
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty?: string }).missingProperty);
    pointer = `${pointer}/${escapePointer(missing)}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty?: string }).additionalProperty);
    pointer = `${pointer}/${escapePointer(extra)}`;
    message = 'is not a known field';
  } else if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    message = `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
  }
  if (parameter !== undefined) {
    const name = pointer === '' ? parameter : pointer.slice(1).split('/')[0];
    return { parameter: name, message: `${name} ${message}` };
  }
  return {
    pointer: pointer === '' ? '/' : pointer,
    message: `${pointer === '' ? 'body' : pointer} ${message}`,
  };
}

export function createOperationValidator(document: unknown, operationId: string): OperationValidator {
  if (!isObject(document) || !isObject(document.paths)) throw new TypeError('not an OpenAPI document');
  const doc = writeView(document);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');

  let found: { path: string; method: string; operation: JsonObject; pathItem: JsonObject } | undefined;
  for (const [path, pathItem] of Object.entries(doc.paths as JsonObject)) {
    if (!isObject(pathItem)) continue;
    for (const [method, operation] of Object.entries(pathItem)) {
      if (isObject(operation) && operation.operationId === operationId)
        found = { path, method, operation, pathItem };
    }
  }
  if (!found) throw new TypeError(`the OpenAPI document has no operation "${operationId}"`);
  const { path, method, operation, pathItem } = found;
  const pointerTo = `#/paths/${escapePointer(path)}/${method}`;

  const body = derefSchema(doc, operation.requestBody);
  // Where the body's JSON schema sits, for ajv: behind the requestBody's $ref, or inline.
  const requestBody = operation.requestBody;
  const bodyPointer =
    isObject(requestBody) && typeof requestBody.$ref === 'string'
      ? requestBody.$ref
      : `${pointerTo}/requestBody`;
  const hasJsonBody = isObject(body?.content) && isObject(body.content['application/json']);
  const jsonSchemaPointer = hasJsonBody
    ? `openapi${bodyPointer}/content/application~1json/schema`
    : undefined;
  const bodyValidator: ValidateFunction | undefined = jsonSchemaPointer
    ? ajv.compile({ $ref: jsonSchemaPointer })
    : undefined;

  const parameters = [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ]
    .map((parameter) => derefSchema(doc, parameter))
    .filter(isObject);
  const parameterSchema = (location: 'path' | 'query'): ValidateFunction => {
    const properties: JsonObject = {};
    const required: string[] = [];
    for (const parameter of parameters) {
      if (parameter.in !== location || typeof parameter.name !== 'string') continue;
      properties[parameter.name] = parameter.schema ?? {};
      if (parameter.required === true) required.push(parameter.name);
    }
    return ajv.compile({ type: 'object', properties, required, additionalProperties: false });
  };
  const pathValidator = parameterSchema('path');
  const queryValidator = parameterSchema('query');

  return {
    method: method.toUpperCase(),
    path,
    bodyRequired: body?.required === true,
    validateBody(value) {
      if (value === undefined)
        return body?.required === true ? [{ pointer: '/', message: 'a body is required' }] : [];
      if (!bodyValidator || bodyValidator(value)) return [];
      return (bodyValidator.errors ?? []).map((error) => issueFromAjv(error));
    },
    validateParameters(values) {
      const issues: RequestIssue[] = [];
      for (const [validator, input] of [
        [pathValidator, values.path ?? {}],
        [queryValidator, values.query ?? {}],
      ] as const) {
        const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
        if (!validator(defined))
          issues.push(...(validator.errors ?? []).map((error) => issueFromAjv(error, '')));
      }
      return issues;
    },
  };
}
