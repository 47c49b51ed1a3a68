/**
 * Checks of what callers pass to public entry points. A bad value is an `EntitlementError` of kind
 * `invalid-argument` that names the field and what was expected, raised before anything is sent.
 * Nothing is coerced: `'5000'` is not a number, `null` is not an options object.
 */
import { EntitlementError } from './errors.ts';

/** The longest delay a Node.js timer can hold (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** `field` is wrong: `description` says how ("must be ..."); nothing was sent. */
export function invalidField(vendor: string, field: string, description: string): EntitlementError {
  return new EntitlementError({
    kind: 'invalid-argument',
    vendor,
    message: `${field} ${description}. Nothing was sent.`,
    details: [{ field, description }],
  });
}

/** `field` must be `expected` and is `got` instead. */
export function invalidArgument(
  vendor: string,
  field: string,
  expected: string,
  got: unknown,
): EntitlementError {
  return invalidField(vendor, field, `must be ${expected}, got ${describeValue(got)}`);
}

/** A short, safe description of a value for an error message (never the whole value). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `the bigint ${value}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (Array.isArray(value)) return 'an array';
      return `${articled(value.constructor?.name ?? 'object')}`;
  }
}

function articled(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name === 'Object' ? 'object' : `${name} object`}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `value` as an options object: undefined becomes `{}`, anything but a plain object is refused,
 * and so is a key not in `known` (a misspelt option would otherwise be ignored silently).
 */
export function checkOptionsObject(
  vendor: string,
  field: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalidArgument(vendor, field, 'an object (or left out)', value);
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  const [first] = unknown;
  if (first !== undefined) {
    throw invalidField(
      vendor,
      `${field}.${first.slice(0, 64)}`,
      `is not an option (known: ${known.join(', ')})`,
    );
  }
  return value;
}

/** A well-formed string (no lone surrogates), within the given length. */
export function checkString(
  vendor: string,
  field: string,
  value: unknown,
  limits: { min?: number; max?: number } = {},
): string {
  const min = limits.min ?? 1;
  const max = limits.max ?? 4_096;
  const expected =
    min > 0 ? `a non-empty string of at most ${max} characters` : `a string of at most ${max} characters`;
  if (typeof value !== 'string' || value.length < min || value.length > max)
    throw invalidArgument(vendor, field, expected, value);
  if (!value.isWellFormed())
    throw invalidField(vendor, field, 'must be well-formed Unicode (it has a lone surrogate)');
  return value;
}

export function checkOptionalString(
  vendor: string,
  field: string,
  value: unknown,
  limits?: { min?: number; max?: number },
): string | undefined {
  return value === undefined ? undefined : checkString(vendor, field, value, limits);
}

export function checkBoolean(vendor: string, field: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalidArgument(vendor, field, 'true or false', value);
}

export function checkFunction<F extends (...args: never[]) => unknown>(
  vendor: string,
  field: string,
  value: unknown,
): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  throw invalidArgument(vendor, field, 'a function', value);
}

/** A whole number within `[min, max]`. */
export function checkInteger(
  vendor: string,
  field: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidArgument(vendor, field, `a whole number from ${min} to ${max}`, value);
  return value;
}

/** A finite number within `[min, max]` (`exclusiveMin`: strictly above `min`). */
export function checkNumber(
  vendor: string,
  field: string,
  value: unknown,
  bounds: { min: number; max: number; exclusiveMin?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const { min, max, exclusiveMin } = bounds;
  const tooLow = typeof value === 'number' && (exclusiveMin ? value <= min : value < min);
  if (typeof value !== 'number' || !Number.isFinite(value) || tooLow || value > max) {
    const low = exclusiveMin ? `above ${min}` : `at least ${min}`;
    throw invalidArgument(vendor, field, `a finite number ${low} and at most ${max}`, value);
  }
  return value;
}

/** A per-request timeout: positive, finite, at most what a timer can hold. */
export function checkTimeout(vendor: string, field: string, value: unknown): number | undefined {
  return checkNumber(vendor, field, value, { min: 0, max: MAX_TIMER_MS, exclusiveMin: true });
}

/** An AbortSignal (a real one: anything else cannot be listened to). */
export function checkSignal(vendor: string, field: string, value: unknown): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw invalidArgument(vendor, field, 'an AbortSignal', value);
}

/** RFC 9110 field-name: a token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 field-value: visible ASCII and Latin-1, spaces and tabs inside, no CR, LF or NUL. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the library sets itself: a caller's value would break the request or its credentials. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'content-length',
  'content-type',
  'host',
  'transfer-encoding',
  'connection',
  'te',
  'upgrade',
]);

/**
 * Extra request headers: a plain object of header names (RFC 9110 tokens, at most 256 characters)
 * to string values (no control characters, at most 8 KiB). gRPC metadata is stricter: names are
 * sent in lower case, and binary (`-bin`) and reserved `grpc-` names are refused.
 */
export function checkHeaders(
  vendor: string,
  field: string,
  value: unknown,
  flavour: 'http' | 'grpc' = 'http',
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value))
    throw invalidArgument(vendor, field, 'an object of header names to string values', value);
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, headerValue] of Object.entries(value)) {
    const where = `${field}[${JSON.stringify(name.slice(0, 64))}]`;
    if (name.length === 0 || name.length > 256 || !HEADER_NAME.test(name))
      throw invalidField(
        vendor,
        where,
        "is not a header name: use letters, digits and !#$%&'*+.^_`|~- only, no spaces, at most 256",
      );
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) throw invalidField(vendor, where, 'is set by the library itself');
    if (flavour === 'grpc' && (lower.endsWith('-bin') || lower.startsWith('grpc-') || lower.startsWith(':')))
      throw invalidField(
        vendor,
        where,
        'is not a text metadata key (binary -bin and grpc- keys are refused)',
      );
    if (seen.has(lower)) throw invalidField(vendor, where, 'is given twice (header names ignore case)');
    seen.add(lower);
    if (typeof headerValue !== 'string' || headerValue.length > 8_192 || !HEADER_VALUE.test(headerValue))
      throw invalidArgument(vendor, where, 'a string header value without control characters', headerValue);
    headers[flavour === 'grpc' ? lower : name] = headerValue;
  }
  return headers;
}
