import { describe, expect, it } from 'vitest';
import {
  decodeToken,
  decodeVendorToken,
  EntitlementError,
  encodeToken,
  isEntitlementError,
  tokenVendor,
  uuidForKey,
} from '../../src/core/index.ts';

describe('EntitlementError', () => {
  it('is recognised by its Symbol.for marker, also from another copy of the library', () => {
    const error = new EntitlementError({ kind: 'not-found', vendor: 'v', message: 'm', httpStatus: 404 });
    expect(isEntitlementError(error)).toBe(true);
    expect(error instanceof EntitlementError).toBe(true);
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('entitlement-provisioner.EntitlementError')]: true,
    });
    expect(EntitlementError.isInstance(foreign)).toBe(true);
    expect(EntitlementError.isInstance(new Error('plain'))).toBe(false);
    // instanceof is the plain language check: only this copy's class, never a look-alike object.
    expect(foreign instanceof EntitlementError).toBe(false);
    expect(
      new EntitlementError({ kind: 'internal', vendor: 'x', message: 'm' }) instanceof EntitlementError,
    ).toBe(true);
  });

  it('defaults retryable by kind and keeps optional fields through with()', () => {
    expect(new EntitlementError({ kind: 'unavailable', vendor: 'v', message: 'm' }).retryable).toBe(true);
    expect(new EntitlementError({ kind: 'invalid-argument', vendor: 'v', message: 'm' }).retryable).toBe(
      false,
    );
    const error = new EntitlementError({
      kind: 'rate-limited',
      vendor: 'v',
      message: 'm',
      retryAfterMs: 5,
      requestId: 'r',
    });
    const copy = error.with({ attempts: 3 });
    expect(copy).toMatchObject({ kind: 'rate-limited', retryAfterMs: 5, requestId: 'r', attempts: 3 });
    expect(JSON.parse(JSON.stringify(copy))).toMatchObject({
      name: 'EntitlementError',
      kind: 'rate-limited',
      attempts: 3,
    });
  });
});

describe('operation tokens', () => {
  it('round-trip and name their vendor', () => {
    const token = encodeToken({ vendor: 'acme', id: 'x/1', n: 2 });
    expect(token).toMatch(/^ep1\.[A-Za-z0-9_-]+$/);
    expect(decodeToken(token)).toEqual({ vendor: 'acme', id: 'x/1', n: 2 });
    expect(tokenVendor(token)).toBe('acme');
  });

  it('reject garbage and other vendors with invalid-argument', () => {
    for (const bad of [
      '',
      'nope',
      'ep1.',
      'ep1.@@@',
      `ep1.${Buffer.from('[1]').toString('base64url')}`,
      42,
    ]) {
      expect(() => decodeToken(bad)).toThrowError(expect.objectContaining({ kind: 'invalid-argument' }));
    }
    expect(() => decodeVendorToken(encodeToken({ vendor: 'a' }), 'b')).toThrowError(/belongs to vendor "a"/);
  });
});

describe('uuidForKey', () => {
  it('is deterministic, a UUID, never the zero UUID, and keeps keys that already are UUIDs', () => {
    const a = uuidForKey('order-42');
    expect(a).toBe(uuidForKey('order-42'));
    expect(a).not.toBe(uuidForKey('order-43'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const uuid = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
    expect(uuidForKey(uuid)).toBe(uuid.toLowerCase());
    expect(uuidForKey('00000000-0000-0000-0000-000000000000')).not.toBe(
      '00000000-0000-0000-0000-000000000000',
    );
    expect(() => uuidForKey('')).toThrow();
  });
});
