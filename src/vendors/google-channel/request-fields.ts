/**
 * Checks a request message field by field against the rules generated from the protos
 * (`REQUEST_MESSAGES` in generated/google/channel.ts) and returns the wire-ready copy that is sent:
 * exactly the fields checked, 64-bit integers as decimal strings, enums by name, bytes as bytes.
 * Nothing is coerced: a value that protobufjs would silently turn into something else (`'false'`
 * for a bool, `'abc'` for an int64, an object for a string, an unknown field) is a violation.
 */

import type { FieldRule, MessageRule } from '../../../generated/google/channel.ts';
import * as channel from '../../../generated/google/channel.ts';

/** One refused field, in the shape of `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** The longest string field accepted, in UTF-8 bytes (resource names have their own, lower limit). */
export const MAX_STRING_BYTES = 16 * 1024;
/** The longest resource name accepted, in characters. */
export const MAX_NAME_LENGTH = 512;
/** The most elements a repeated field may hold. */
export const MAX_REPEATED = 1_000;
/** Violations reported at most (a huge bad request does not make a huge error). */
const MAX_VIOLATIONS = 20;

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32 = { min: 0n, max: 2n ** 32n - 1n };
const INTEGER_RANGES: Record<string, { min: bigint; max: bigint; wide: boolean }> = {
  int32: { ...INT32, wide: false },
  sint32: { ...INT32, wide: false },
  sfixed32: { ...INT32, wide: false },
  uint32: { ...UINT32, wide: false },
  fixed32: { ...UINT32, wide: false },
  int64: { ...INT64, wide: true },
  sint64: { ...INT64, wide: true },
  sfixed64: { ...INT64, wide: true },
  uint64: { ...UINT64, wide: true },
  fixed64: { ...UINT64, wide: true },
};

/** A decimal integer as written canonically: no sign on zero, no leading zeros, no `+`. */
const DECIMAL = /^(0|-?[1-9][0-9]*)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** One segment of a resource name. */
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._~-]*';

const messages = channel.REQUEST_MESSAGES as unknown as Readonly<Record<string, MessageRule>>;

/** The generated enums by full name: value name to number. */
const enums: ReadonlyMap<string, Readonly<Record<string, number>>> = new Map(
  Object.entries(channel.TYPE_NAMES).flatMap(([local, fullName]) => {
    const values = (channel as unknown as Record<string, unknown>)[local];
    return typeof values === 'object' && values !== null && !Array.isArray(values)
      ? [[fullName, values as Record<string, number>] as const]
      : [];
  }),
);

const patternCache = new Map<string, RegExp>();
/** `accounts/{account}/offers/{offer}` -> a regex with one segment per variable. */
export function namePattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const source = pattern
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? SEGMENT : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`);
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** A short, safe description of a value for a message (strings cut, never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `the string ${JSON.stringify(shown)}${value.length > 40 ? ` (${value.length} characters)` : ''}`;
    }
    case 'number':
      return `the number ${String(value)}`;
    case 'bigint':
      return `the bigint ${value > 10n ** 30n || value < -(10n ** 30n) ? 'of more than 30 digits' : String(value)}`;
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return value instanceof Uint8Array ? 'bytes' : 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Whether `value` is a plain object (not an array, a class instance, a Map, a Date...). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Unset, as protobufjs reads a plain object: absent, `undefined` or `null`. */
const unset = (value: unknown) => value === undefined || value === null;

/** A protobufjs Long (`{ low, high, unsigned }`) as a bigint, or undefined when it is not one. */
function longValue(value: unknown): bigint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { low, high, unsigned } = value as { low?: unknown; high?: unknown; unsigned?: unknown };
  const keys = Object.keys(value);
  if (keys.length !== 3 || !keys.every((key) => key === 'low' || key === 'high' || key === 'unsigned'))
    return undefined;
  if (!Number.isInteger(low) || !Number.isInteger(high) || typeof unsigned !== 'boolean') return undefined;
  const lowBits = BigInt.asUintN(32, BigInt(low as number));
  const highBits = BigInt(high as number) << 32n;
  return unsigned ? BigInt.asUintN(64, highBits | lowBits) : BigInt.asIntN(64, highBits | lowBits);
}

export class RequestChecker {
  readonly violations: FieldViolation[] = [];

  #fail(field: string, description: string): undefined {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ field, description });
    return undefined;
  }

  /** A string field: well-formed UTF-16 (no lone surrogate), at most {@link MAX_STRING_BYTES}. */
  string(path: string, value: unknown, patterns?: readonly string[]): string | undefined {
    if (typeof value !== 'string')
      return this.#fail(path, `${path} must be a string, not ${describe(value)}`);
    if (!value.isWellFormed())
      return this.#fail(path, `${path} contains a lone UTF-16 surrogate, which cannot be sent as UTF-8`);
    if (Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES)
      return this.#fail(path, `${path} is longer than ${MAX_STRING_BYTES} bytes`);
    if (patterns && patterns.length > 0) {
      if (value.length > MAX_NAME_LENGTH)
        return this.#fail(path, `${path} is longer than ${MAX_NAME_LENGTH} characters`);
      if (!patterns.some((pattern) => namePattern(pattern).test(value)) || value.includes('..'))
        return this.#fail(
          path,
          `${path} ${describe(value).replace(/^the string /, '')} is not ${patterns.join(' or ')}`,
        );
    }
    return value;
  }

  #integer(path: string, type: string, value: unknown): string | number | undefined {
    const range = INTEGER_RANGES[type];
    if (!range) return this.#fail(path, `${path} has the unsupported type ${type}`);
    const notInteger = () =>
      this.#fail(
        path,
        `${path} must be an integer${range.wide ? ' (a safe integer, a decimal string or a bigint)' : ''}, not ${describe(value)}`,
      );
    let integer: bigint | undefined;
    if (typeof value === 'bigint' && range.wide) integer = value;
    else if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) return notInteger();
      integer = BigInt(value);
    } else if (typeof value === 'string' && range.wide) {
      if (!DECIMAL.test(value))
        return this.#fail(path, `${path} must be a decimal integer, not ${describe(value)}`);
      integer = BigInt(value);
    } else if (range.wide) integer = longValue(value);
    if (integer === undefined) return notInteger();
    if (integer < range.min || integer > range.max)
      return this.#fail(path, `${path} is outside the ${type} range ${range.min}..${range.max}`);
    return range.wide ? integer.toString() : Number(integer);
  }

  #scalar(path: string, rule: FieldRule, value: unknown): unknown {
    switch (rule.type) {
      case 'string':
        return this.string(path, value, rule.patterns);
      case 'bool':
        return typeof value === 'boolean'
          ? value
          : this.#fail(path, `${path} must be a boolean (true or false), not ${describe(value)}`);
      case 'double':
        return typeof value === 'number' && Number.isFinite(value)
          ? value
          : this.#fail(path, `${path} must be a finite number, not ${describe(value)}`);
      case 'float':
        if (typeof value !== 'number' || !Number.isFinite(value))
          return this.#fail(path, `${path} must be a finite number, not ${describe(value)}`);
        return Math.fround(value) === value
          ? value
          : this.#fail(
              path,
              `${path} must be exactly representable as a 32-bit float, not ${describe(value)}`,
            );
      case 'bytes':
        if (value instanceof Uint8Array) return Uint8Array.from(value);
        if (typeof value === 'string' && BASE64.test(value)) {
          const bytes = Buffer.from(value, 'base64');
          // Non-zero padding bits ('AB==') would decode to other bytes than they spell.
          if (bytes.toString('base64') === value) return Uint8Array.from(bytes);
          return this.#fail(path, `${path} is not canonical base64 (its padding bits are not zero)`);
        }
        return this.#fail(
          path,
          `${path} must be bytes (a Uint8Array or a base64 string), not ${describe(value)}`,
        );
      case 'enum': {
        const values = enums.get(rule.typeName ?? '');
        if (!values) return this.#fail(path, `${path} has the unknown enum type ${rule.typeName}`);
        if (typeof value === 'string' && Object.hasOwn(values, value)) return value;
        if (typeof value === 'number') {
          const name = Object.keys(values).find((key) => values[key] === value);
          if (name !== undefined) return name;
        }
        return this.#fail(
          path,
          `${path} must be one of ${Object.keys(values).join(', ')}, not ${describe(value)}`,
        );
      }
      default:
        return this.#integer(path, rule.type, value);
    }
  }

  #value(path: string, rule: FieldRule, value: unknown): unknown {
    return rule.type === 'message'
      ? this.message(path, rule.typeName ?? '', value)
      : this.#scalar(path, rule, value);
  }

  /** A field of any shape: single, repeated or map. */
  field(path: string, rule: FieldRule, value: unknown): unknown {
    if (rule.mapKey !== undefined) {
      if (!isPlainObject(value))
        return this.#fail(path, `${path} must be an object (a map), not ${describe(value)}`);
      const out: Record<string, unknown> = {};
      for (const [key, element] of Object.entries(value)) {
        const at = `${path}[${JSON.stringify(key)}]`;
        if (rule.mapKey === 'string') this.string(at, key);
        else if (rule.mapKey === 'bool') {
          if (key !== 'true' && key !== 'false')
            this.#fail(at, `${at}: a key of ${path} must be true or false`);
        } else
          this.#integer(
            at,
            rule.mapKey,
            rule.mapKey.endsWith('64') ? key : DECIMAL.test(key) ? Number(key) : key,
          );
        if (unset(element)) this.#fail(at, `${at} must have a value`);
        else out[key] = this.#value(at, rule, element);
      }
      return out;
    }
    if (rule.repeated) {
      if (!Array.isArray(value)) return this.#fail(path, `${path} must be a list, not ${describe(value)}`);
      if (value.length > MAX_REPEATED)
        return this.#fail(path, `${path} has more than ${MAX_REPEATED} elements`);
      const out: unknown[] = [];
      for (let index = 0; index < value.length; index++) {
        const element = value[index];
        const at = `${path}[${index}]`;
        if (unset(element)) this.#fail(at, `${at} must not be empty`);
        else out.push(this.#value(at, rule, element));
      }
      return out;
    }
    return this.#value(path, rule, value);
  }

  /**
   * A message of type `typeName`: only its fields (an unknown one is refused), no OUTPUT_ONLY
   * field, every REQUIRED one, at most one field per oneof (exactly one when the message is
   * nothing but that oneof, like `Value`). `skip` names fields the caller does not give (the
   * library sets them).
   */
  message(
    path: string,
    typeName: string,
    value: unknown,
    skip: readonly string[] = [],
  ): Record<string, unknown> | undefined {
    const rule = messages[typeName];
    if (!rule) return this.#fail(path, `${path} has the unknown message type ${typeName}`);
    const label = path === '' ? 'the request' : path;
    if (!isPlainObject(value)) return this.#fail(path, `${label} must be an object, not ${describe(value)}`);
    const at = (name: string) => (path === '' ? name : `${path}.${name}`);
    const out: Record<string, unknown> = {};
    const given = new Set<string>();
    for (const name of Object.keys(value)) {
      const field = Object.hasOwn(rule.fields, name) && !skip.includes(name) ? rule.fields[name] : undefined;
      if (!field) {
        const known = rule.settable.filter((settable) => !skip.includes(settable));
        this.#fail(at(name), `${at(name)} is not a field of ${typeName} (expected ${known.join(', ')})`);
        continue;
      }
      let element: unknown;
      try {
        element = value[name];
      } catch {
        this.#fail(at(name), `${at(name)} could not be read`);
        continue;
      }
      if (unset(element)) continue;
      given.add(name);
      if (field.outputOnly) {
        this.#fail(at(name), `${at(name)} is set by Cloud Channel (output only) and cannot be sent`);
        continue;
      }
      const checked = this.field(at(name), field, element);
      if (checked !== undefined) out[name] = checked;
    }
    for (const [name, field] of Object.entries(rule.fields))
      if (field.required && !skip.includes(name) && (!given.has(name) || out[name] === ''))
        this.#fail(at(name), `${at(name)} is required`);
    for (const [oneof, members] of Object.entries(rule.oneofs)) {
      const set = members.filter((member) => given.has(member));
      const only = members.length === Object.keys(rule.fields).length;
      if (set.length > 1)
        this.#fail(
          at(oneof),
          `${at(oneof)} is one of ${members.join(', ')}, but ${set.join(' and ')} are set`,
        );
      else if (only && set.length === 0)
        this.#fail(at(oneof), `${at(oneof)} must be set: one of ${members.join(', ')}`);
    }
    return out;
  }
}
