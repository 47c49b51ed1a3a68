/**
 * Idempotency keys: one per logical create, reused on every retry and on resume.
 */
import { randomUUID } from 'node:crypto';
import { NIL, v5, validate } from 'uuid';
import { checkString } from './arguments.ts';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './call-options.ts';

/** The namespace of UUIDv5 request ids derived from callers' keys (fixed forever: changing it breaks dedupe). */
export const IDEMPOTENCY_NAMESPACE = '6f0b7a52-1f2e-4c8e-9a59-0f3f1b2f6d11';

/** A fresh random key (a UUIDv4, never the zero UUID). */
export function newIdempotencyKey(): string {
  return randomUUID();
}

/**
 * A request id for vendors that want a UUID (never the zero UUID): a caller key that already is a
 * non-zero UUID is used as it is; any other key maps to a UUIDv5, the same for the same key.
 */
export function uuidForKey(key: unknown): string {
  const checked = checkString('entitlement-provisioner', 'idempotencyKey', key, {
    max: MAX_IDEMPOTENCY_KEY_LENGTH,
  });
  if (validate(checked) && checked !== NIL) return checked.toLowerCase();
  return v5(checked, IDEMPOTENCY_NAMESPACE);
}
