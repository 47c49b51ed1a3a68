/**
 * Where the schemas of one operation sit in an OpenAPI 3.0 document: the JSON request body and
 * each path and query parameter, as JSON pointers into the whole document. References are
 * followed (a parameter may be a `$ref` into `components/parameters`, whose schema is a `$ref` into
 * `components/schemas`), so a validator compiled from these pointers resolves every `$ref` against
 * the document, wherever it sits. Pure: no schema is compiled here.
 */
import { isObject, type JsonObject, resolveLocalRef } from './json-pointer.ts';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A node of the document and the pointer it was found at, after following `$ref`s. */
export interface Located {
  node: JsonObject;
  pointer: string;
}

/** Follows `$ref` chains from `node` (found at `pointer`); undefined when a reference does not resolve. */
export function locate(doc: JsonObject, node: unknown, pointer: string): Located | undefined {
  let current = node;
  let at = pointer;
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(current)) return undefined;
    if (typeof current.$ref !== 'string') return { node: current, pointer: at };
    at = current.$ref;
    current = resolveLocalRef(doc, current.$ref);
  }
  return undefined;
}

export interface ParameterSource {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  /** Pointer (`#/...`) to the parameter's schema. */
  schema: string;
}

export interface OperationSources {
  operationId: string;
  /** Upper-case HTTP method. */
  method: string;
  path: string;
  /** Pointer (`#/paths/...`) to the operation object. */
  pointer: string;
  bodyRequired: boolean;
  /** Pointer (`#/...`) to the JSON body's schema, when the operation takes a JSON body. */
  body?: string;
  parameters: ParameterSource[];
}

export class UnresolvedReferenceError extends Error {
  constructor(operationId: string, what: string, ref: unknown) {
    super(`${what} of ${operationId} is a $ref that does not resolve in the document: ${String(ref)}`);
    this.name = 'UnresolvedReferenceError';
  }
}

/** Finds an operation by `operationId`. */
export function findOperation(
  doc: JsonObject,
  operationId: string,
):
  | { path: string; method: string; operation: JsonObject; pathItem: JsonObject; pointer: string }
  | undefined {
  if (!isObject(doc.paths)) return undefined;
  for (const [path, pathItem] of Object.entries(doc.paths)) {
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (isObject(operation) && operation.operationId === operationId)
        return { path, method, operation, pathItem, pointer: `#/paths/${escapePointer(path)}/${method}` };
    }
  }
  return undefined;
}

/** Every `operationId` of the document, in document order. */
export function operationIdsOf(doc: JsonObject): string[] {
  const ids: string[] = [];
  for (const pathItem of Object.values(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(pathItem)) continue;
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (isObject(operation) && typeof operation.operationId === 'string') ids.push(operation.operationId);
    }
  }
  return ids;
}

function parameterSchemaPointer(parameter: Located): string | undefined {
  if (isObject(parameter.node.schema)) return `${parameter.pointer}/schema`;
  const content = parameter.node.content;
  if (!isObject(content)) return undefined;
  const [media] = Object.keys(content);
  return media === undefined ? undefined : `${parameter.pointer}/content/${escapePointer(media)}/schema`;
}

/** The body and the path and query parameters of an operation, located in the document. */
export function operationSources(doc: JsonObject, operationId: string): OperationSources {
  const found = findOperation(doc, operationId);
  if (!found) throw new TypeError(`the OpenAPI document has no operation "${operationId}"`);
  const { path, method, operation, pathItem, pointer } = found;

  let bodyRequired = false;
  let body: string | undefined;
  if (operation.requestBody !== undefined) {
    const requestBody = locate(doc, operation.requestBody, `${pointer}/requestBody`);
    if (!requestBody)
      throw new UnresolvedReferenceError(
        operationId,
        'the request body',
        (operation.requestBody as JsonObject).$ref,
      );
    bodyRequired = requestBody.node.required === true;
    const content = requestBody.node.content;
    if (isObject(content) && isObject(content['application/json']))
      body = `${requestBody.pointer}/content/application~1json/schema`;
  }

  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, ParameterSource>();
  const lists: [unknown, string][] = [
    [pathItem.parameters, `#/paths/${escapePointer(path)}/parameters`],
    [operation.parameters, `${pointer}/parameters`],
  ];
  for (const [list, listPointer] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      const parameter = locate(doc, entry, `${listPointer}/${index}`);
      if (!parameter)
        throw new UnresolvedReferenceError(
          operationId,
          `parameter #${index + 1}`,
          (entry as JsonObject)?.$ref,
        );
      const { name } = parameter.node;
      const location = parameter.node.in;
      if (typeof name !== 'string' || (location !== 'path' && location !== 'query')) return;
      const schema = parameterSchemaPointer(parameter) ?? '';
      byKey.set(`${location}:${name}`, {
        name,
        in: location,
        required: parameter.node.required === true || location === 'path',
        schema,
      });
    });
  }
  const sources: OperationSources = {
    operationId,
    method: method.toUpperCase(),
    path,
    pointer,
    bodyRequired,
    parameters: [...byKey.values()],
  };
  if (body !== undefined) sources.body = body;
  return sources;
}

/**
 * A copy of the document as requests see it: per OpenAPI 3.0, a `readOnly` property listed in
 * `required` is required in responses only.
 */
export function writeView(doc: JsonObject): JsonObject {
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
        (name) => locate(view, properties[String(name)], '')?.node.readOnly !== true,
      );
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(view);
  return view;
}
