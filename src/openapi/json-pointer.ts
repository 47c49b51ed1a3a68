/** JSON values and local `$ref` resolution in OpenAPI documents (runtime validation and codegen). */

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a local `#/...` JSON pointer reference; returns undefined for anything else. */
export function resolveLocalRef(doc: JsonObject, ref: unknown): unknown {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(key)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Follows `$ref` chains until a schema object without `$ref` (or an unresolvable reference). */
export function derefSchema(doc: JsonObject, schema: unknown): JsonObject | undefined {
  let current = schema;
  for (let hops = 0; hops < 32 && isObject(current); hops++) {
    if (typeof current.$ref !== 'string') return current;
    current = resolveLocalRef(doc, current.$ref);
  }
  return undefined;
}
