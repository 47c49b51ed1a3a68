/**
 * Canonical JSON: the one byte-for-byte form of a JSON value (object keys sorted, no whitespace),
 * used to derive idempotency keys and request digests from content. Anything JSON cannot carry
 * unchanged (a bigint, a function, a symbol, a non-finite number, `undefined` in an array, a
 * cycle, a class instance such as a Date or a Map) is refused with `invalid-argument`, naming
 * where it sits: a digest must never depend on how a serializer happens to coerce a value.
 */
import { EntitlementError } from './errors.ts';

function refuse(vendor: string, path: string, what: string): EntitlementError {
  return new EntitlementError({
    kind: 'invalid-argument',
    vendor,
    message: `${path} is ${what}: only JSON values (strings, finite numbers, booleans, null, arrays and plain objects) can be sent`,
    details: [{ field: path, description: `is ${what}` }],
  });
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return 'a bigint';
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null)
    return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return `a ${typeof value}`;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The canonical JSON text of `value`; `root` names it in errors (`request`, `entitlement`, ...). */
export function canonicalJson(value: unknown, root = 'value', vendor = 'entitlement-provisioner'): string {
  const seen = new Set<object>();
  const write = (node: unknown, path: string): string => {
    if (node === null || typeof node === 'boolean' || typeof node === 'string') return JSON.stringify(node);
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) throw refuse(vendor, path, describe(node));
      return JSON.stringify(node);
    }
    if (typeof node !== 'object') throw refuse(vendor, path, describe(node));
    if (seen.has(node)) throw refuse(vendor, path, 'a reference back to one of its own parents (a cycle)');
    seen.add(node);
    try {
      if (Array.isArray(node)) {
        const parts: string[] = [];
        for (let index = 0; index < node.length; index++) {
          const element: unknown = node[index];
          if (element === undefined) throw refuse(vendor, `${path}[${index}]`, 'undefined (or a hole)');
          parts.push(write(element, `${path}[${index}]`));
        }
        return `[${parts.join(',')}]`;
      }
      if (!isPlainObject(node)) throw refuse(vendor, path, describe(node));
      const parts: string[] = [];
      for (const key of Object.keys(node).sort()) {
        const child = (node as Record<string, unknown>)[key];
        if (child === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${write(child, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    } finally {
      seen.delete(node);
    }
  };
  return write(value, root);
}

/**
 * SHA-256 (hex) of the canonical JSON of `value`. node:crypto is loaded here, on the first digest
 * (only bulk work takes them), not when a create imports this module for `canonicalJson`:
 * loading it costs a fresh process several milliseconds.
 */
export function contentDigest(value: unknown, root?: string, vendor?: string): string {
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256')
    .update(canonicalJson(value, root, vendor))
    .digest('hex');
}
