/** Plain JSON helpers shared by the code generators. */

export { isObject, type JsonObject } from '../../src/openapi/json-pointer.ts';

/** Deterministic JSON text: two-space indent and a trailing newline, so diffs stay small. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
