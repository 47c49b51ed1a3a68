/**
 * One error type for every vendor. Checked with a `Symbol.for` marker so that two copies of the
 * library in one process (ESM and CommonJS, or two versions) still recognise each other's errors.
 */

export const ERROR_KINDS = [
  'invalid-argument',
  'unauthenticated',
  'permission-denied',
  'not-found',
  'already-exists',
  'failed-precondition',
  'rate-limited',
  'unavailable',
  'internal',
  'deadline-exceeded',
  'cancelled',
  'operation-failed',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds that are safe to retry by default: the request may not have been processed, or may be replayed safely. */
const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set([
  'rate-limited',
  'unavailable',
  'internal',
  'deadline-exceeded',
]);

export interface EntitlementErrorInit {
  kind: ErrorKind;
  vendor: string;
  message: string;
  retryable?: boolean;
  httpStatus?: number;
  grpcCode?: number;
  /** The vendor's machine-readable reason (Confluent error `code`, Google ErrorInfo `reason`). */
  reason?: string;
  requestId?: string;
  operationName?: string;
  /** The operation token to resume with, when the operation may still complete. */
  token?: string;
  /** The URI of the resource the request conflicts with (already-exists). */
  resourceUri?: string;
  /** How long the vendor asked to wait before trying again (rate-limited). */
  retryAfterMs?: number;
  /** HTTP requests or RPCs sent for this call, retries included. */
  attempts?: number;
  /** The vendor's error list or `google.rpc.Status.details`, as the vendor sent them. */
  details?: readonly unknown[];
  cause?: unknown;
}

const MARKER = Symbol.for('entitlement-provisioner.EntitlementError');

const OPTIONAL_FIELDS = [
  'httpStatus',
  'grpcCode',
  'reason',
  'requestId',
  'operationName',
  'token',
  'resourceUri',
  'retryAfterMs',
  'attempts',
] as const satisfies readonly (keyof EntitlementErrorInit)[];

export class EntitlementError extends Error {
  readonly kind: ErrorKind;
  readonly vendor: string;
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly grpcCode?: number;
  readonly reason?: string;
  readonly requestId?: string;
  readonly operationName?: string;
  readonly token?: string;
  readonly resourceUri?: string;
  readonly retryAfterMs?: number;
  readonly attempts?: number;
  readonly details: readonly unknown[];

  constructor(init: EntitlementErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'EntitlementError';
    this.kind = init.kind;
    this.vendor = init.vendor;
    this.retryable = init.retryable ?? RETRYABLE_KINDS.has(init.kind);
    this.details = init.details ?? [];
    for (const key of OPTIONAL_FIELDS)
      if (init[key] !== undefined) Object.defineProperty(this, key, { value: init[key], enumerable: true });
    Object.defineProperty(this, MARKER, { value: true });
  }

  /**
   * Whether `value` is an EntitlementError of any copy of this library in the process (ESM and
   * CommonJS, or two versions): checked by a `Symbol.for` marker, where `instanceof` only knows
   * this copy's class.
   */
  static isInstance(value: unknown): value is EntitlementError {
    return isEntitlementError(value);
  }

  /**
   * A copy with some fields replaced (the attempt count once the call loop knows it, say). The
   * copy keeps this error's stack, so it still points at the code path that failed.
   */
  with(changes: Partial<EntitlementErrorInit>): EntitlementError {
    const copy = new EntitlementError({ ...this.toInit(), ...changes });
    if (this.stack !== undefined) {
      const header = `${this.name}: ${this.message}`;
      copy.stack = this.stack.startsWith(header)
        ? `${copy.name}: ${copy.message}${this.stack.slice(header.length)}`
        : this.stack;
    }
    return copy;
  }

  toInit(): EntitlementErrorInit {
    const { kind, vendor, message, retryable, details, cause } = this;
    const init: EntitlementErrorInit = { kind, vendor, message, retryable, details, cause };
    for (const key of OPTIONAL_FIELDS) if (this[key] !== undefined) Object.assign(init, { [key]: this[key] });
    return init;
  }

  /** The error's fields (not its cause) as plain JSON values; never throws. */
  toJSON(): Record<string, unknown> {
    const { cause: _cause, details, ...init } = this.toInit();
    return { name: this.name, ...init, details: jsonSafe(details) };
  }
}

/** `value` as something JSON.stringify always handles (bigints as strings, no cycles, no throwing getters). */
function jsonSafe(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 12 || seen.has(value)) return '[…]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => jsonSafe(item, depth + 1, seen) ?? null);
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      try {
        const item = jsonSafe((value as Record<string, unknown>)[key], depth + 1, seen);
        if (item !== undefined) out[key] = item;
      } catch {
        out[key] = '[unreadable]';
      }
    }
    return out;
  } catch {
    return '[unreadable]';
  } finally {
    seen.delete(value);
  }
}

export function isEntitlementError(value: unknown): value is EntitlementError {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[MARKER] === true;
  } catch {
    return false; // a Proxy whose trap throws is no error of ours
  }
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return (ERROR_KINDS as readonly unknown[]).includes(value);
}
