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

/**
 * Walks a JSON value depth first, refusing what JSON cannot carry unchanged. `leaf` turns a
 * string, number, boolean or null into the output, `array` and `object` build from their
 * members' outputs (an object member that is `undefined` is left out, as JSON leaves it out).
 * The path of a node is spelled out only when the node is refused.
 */
function walk<T>(
  value: unknown,
  root: string,
  vendor: string,
  build: {
    leaf: (node: string | number | boolean | null) => T;
    array: (elements: T[]) => T;
    object: (keys: string[], members: T[]) => T;
    keys: (node: object) => string[];
  },
): T {
  const seen = new Set<object>();
  const trail: (string | number)[] = [];
  const where = (): string =>
    trail.reduce<string>(
      (path, step) => (typeof step === 'number' ? `${path}[${step}]` : `${path}.${step}`),
      root,
    );
  const visit = (node: unknown): T => {
    if (node === null || typeof node === 'boolean' || typeof node === 'string') return build.leaf(node);
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) throw refuse(vendor, where(), describe(node));
      return build.leaf(node);
    }
    if (typeof node !== 'object') throw refuse(vendor, where(), describe(node));
    if (seen.has(node)) throw refuse(vendor, where(), 'a reference back to one of its own parents (a cycle)');
    seen.add(node);
    if (Array.isArray(node)) {
      const elements: T[] = [];
      for (let index = 0; index < node.length; index++) {
        const element: unknown = node[index];
        trail.push(index);
        if (element === undefined) throw refuse(vendor, where(), 'undefined (or a hole)');
        elements.push(visit(element));
        trail.pop();
      }
      seen.delete(node);
      return build.array(elements);
    }
    if (!isPlainObject(node)) throw refuse(vendor, where(), describe(node));
    const keys: string[] = [];
    const members: T[] = [];
    for (const key of build.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (child === undefined) continue;
      trail.push(key);
      keys.push(key);
      members.push(visit(child));
      trail.pop();
    }
    seen.delete(node);
    return build.object(keys, members);
  };
  return visit(value);
}

const CANONICAL = {
  leaf: (node: string | number | boolean | null) => JSON.stringify(node),
  array: (elements: string[]) => `[${elements.join(',')}]`,
  object: (keys: string[], members: string[]) =>
    `{${keys.map((key, index) => `${JSON.stringify(key)}:${members[index]}`).join(',')}}`,
  keys: (node: object) => Object.keys(node).sort(),
};

const SNAPSHOT = {
  leaf: (node: string | number | boolean | null): unknown => node,
  array: (elements: unknown[]): unknown => elements,
  object: (keys: string[], members: unknown[]): unknown => {
    const copy: Record<string, unknown> = {};
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      // An own "__proto__" member, as JSON.parse makes it, not a prototype.
      if (key === '__proto__')
        Object.defineProperty(copy, key, {
          value: members[index],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else copy[key] = members[index];
    }
    return copy;
  },
  keys: (node: object) => Object.keys(node),
};

/** The canonical JSON text of `value`; `root` names it in errors (`request`, `entitlement`, ...). */
export function canonicalJson(value: unknown, root = 'value', vendor = 'entitlement-provisioner'): string {
  return walk(value, root, vendor, CANONICAL);
}

/**
 * A copy of `value` that is a JSON value (what is checked is then what is sent, whatever the
 * caller does to its object afterwards), refused exactly as `canonicalJson` refuses. Its keys keep
 * the caller's order.
 */
export function jsonSnapshot(value: unknown, root = 'value', vendor = 'entitlement-provisioner'): unknown {
  return walk(value, root, vendor, SNAPSHOT);
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
