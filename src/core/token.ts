/**
 * Operation tokens: opaque, JSON-safe strings that carry what a vendor adapter needs to resume an
 * operation in another process. Format: `ep1.` + base64url(JSON), with the vendor id inside.
 */
import { EntitlementError } from './errors.ts';

const PREFIX = 'ep1.';

export interface TokenPayload {
  vendor: string;
  [field: string]: unknown;
}

export function encodeToken(payload: TokenPayload): string {
  return PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

function invalid(message: string, vendor = 'core'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

export function decodeToken(token: unknown): TokenPayload {
  if (typeof token !== 'string' || !token.startsWith(PREFIX)) {
    throw invalid('not an operation token: expected a string starting with "ep1." from operation.token');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid('operation token is damaged: it does not decode; pass operation.token unchanged');
  }
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof (payload as TokenPayload).vendor !== 'string'
  ) {
    throw invalid('operation token is damaged: it names no vendor; pass operation.token unchanged');
  }
  return payload as TokenPayload;
}

/** The vendor a token belongs to (for routing). */
export function tokenVendor(token: string): string {
  return decodeToken(token).vendor;
}

/** Decodes a token meant for `vendor`, failing clearly when it belongs to another adapter. */
export function decodeVendorToken(token: unknown, vendor: string): TokenPayload {
  const payload = decodeToken(token);
  if (payload.vendor !== vendor) {
    throw invalid(`operation token belongs to vendor "${payload.vendor}", not "${vendor}"`, vendor);
  }
  return payload;
}
