/**
 * Keeps only the operations the library uses (by operationId) and the components they reach, so a
 * full vendor spec with hundreds of operations yields the same small generated module as the two
 * operations alone.
 */
import { isObject, type JsonObject } from '../lib/json.ts';
import { HTTP_METHODS, operationsOf } from './openapi-walk.ts';

export class MissingOperationsError extends Error {
  readonly missing: string[];
  constructor(missing: string[]) {
    super(
      `the OpenAPI document has no operation with operationId ${missing.map((id) => `"${id}"`).join(', ')}; ` +
        'the vendor may have renamed it: update scripts/confluent/config.ts and the adapter together',
    );
    this.name = 'MissingOperationsError';
    this.missing = missing;
  }
}

export function selectOperations(doc: JsonObject, operationIds: readonly string[]): JsonObject {
  const wanted = new Set(operationIds);
  const found = new Set<string>();
  for (const { operation } of operationsOf(doc)) {
    if (typeof operation.operationId === 'string' && wanted.has(operation.operationId)) {
      found.add(operation.operationId);
    }
  }
  const missing = operationIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw new MissingOperationsError(missing);

  const paths: JsonObject = {};
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const kept: JsonObject = {};
    for (const [key, value] of Object.entries(item)) {
      const isMethod = (HTTP_METHODS as readonly string[]).includes(key);
      if (!isMethod || (isObject(value) && wanted.has(value.operationId as string))) kept[key] = value;
    }
    if (HTTP_METHODS.some((method) => method in kept)) paths[path] = kept;
  }
  const selected: JsonObject = { ...doc, paths };
  delete selected.webhooks;
  delete selected['x-tagGroups'];
  const usedTags = new Set<string>();
  for (const { operation } of operationsOf(selected)) {
    if (Array.isArray(operation.tags)) for (const tag of operation.tags) usedTags.add(String(tag));
  }
  if (Array.isArray(doc.tags)) {
    selected.tags = doc.tags.filter((tag) => isObject(tag) && usedTags.has(String(tag.name)));
  }
  return removeUnusedComponents(selected);
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectRefs(child, into);
  } else if (isObject(node)) {
    if (typeof node.$ref === 'string') into.add(node.$ref);
    for (const child of Object.values(node)) collectRefs(child, into);
  }
}

function securitySchemeNames(node: unknown, into: Set<string>): void {
  if (!Array.isArray(node)) return;
  for (const requirement of node)
    if (isObject(requirement)) for (const name of Object.keys(requirement)) into.add(name);
}

/** Drops every component that nothing outside `components` reaches, directly or through other components. */
export function removeUnusedComponents(doc: JsonObject): JsonObject {
  if (!isObject(doc.components)) return doc;
  const components = doc.components;
  const reached = new Set<string>();
  const queue: string[] = [];
  const { components: _components, ...outside } = doc;
  const start = new Set<string>();
  collectRefs(outside, start);
  queue.push(...start);
  while (queue.length > 0) {
    const ref = queue.pop() as string;
    if (reached.has(ref)) continue;
    reached.add(ref);
    const match = /^#\/components\/([^/]+)\/([^/]+)(\/.*)?$/.exec(ref);
    if (!match) continue;
    const [, section, name, member] = match as unknown as [string, string, string, string | undefined];
    // A pointer into a component (`#/components/schemas/A/properties/b`) reaches the whole component.
    if (member !== undefined) {
      queue.push(`#/components/${section}/${name}`);
      continue;
    }
    const sectionMap = components[section];
    const target = isObject(sectionMap)
      ? sectionMap[name.replaceAll('~1', '/').replaceAll('~0', '~')]
      : undefined;
    const inner = new Set<string>();
    collectRefs(target, inner);
    for (const next of inner) if (!reached.has(next)) queue.push(next);
  }
  const schemes = new Set<string>();
  securitySchemeNames(doc.security, schemes);
  for (const { operation } of operationsOf(doc)) securitySchemeNames(operation.security, schemes);

  const pruned: JsonObject = {};
  for (const [section, entries] of Object.entries(components)) {
    if (!isObject(entries)) continue;
    const kept: JsonObject = {};
    for (const [name, value] of Object.entries(entries)) {
      const pointer = `#/components/${section}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      const keep =
        section === 'securitySchemes' ? schemes.has(name) || reached.has(pointer) : reached.has(pointer);
      if (keep) kept[name] = value;
    }
    if (Object.keys(kept).length > 0) pruned[section] = kept;
  }
  return { ...doc, components: pruned };
}
