/**
 * From gRPC status codes (and the documented error cases of entitlements.create) to
 * EntitlementError, keeping `google.rpc.Status.details` and the ErrorInfo reason.
 */
import { EntitlementError, type ErrorKind } from '../../core/index.ts';
import { unpackAny } from './protos.ts';
import { GOOGLE_CHANNEL } from './types.ts';

export const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

const KINDS: Record<number, ErrorKind> = {
  1: 'cancelled',
  2: 'internal',
  3: 'invalid-argument',
  4: 'deadline-exceeded',
  5: 'not-found',
  6: 'already-exists',
  7: 'permission-denied',
  8: 'rate-limited',
  9: 'failed-precondition',
  10: 'unavailable',
  11: 'invalid-argument',
  12: 'internal',
  13: 'internal',
  14: 'unavailable',
  15: 'internal',
  16: 'unauthenticated',
};

export function kindForCode(code: number): ErrorKind {
  return KINDS[code] ?? 'internal';
}

/** What to do, per the documented error cases of accounts.customers.entitlements.create. */
const ADVICE: Partial<Record<ErrorKind, string>> = {
  'invalid-argument':
    'required parameters are missing or invalid, the offer id is not valid (INVALID_VALUE), or the customer already has an entitlement for a SKU of the same product family (change the offer instead)',
  'not-found': 'the customer or the offer was not found: check the parent and offer names',
  'already-exists':
    "the SKU was already purchased for the customer, or the customer's primary email already exists: change the customer's primary contact email and retry",
  'failed-precondition':
    'the domain must be verified before purchasing this SKU, a prerequisite SKU is missing (e.g. Google Workspace Business Starter before Vault or Drive), or, for developer accounts, domain names must start with goog-test and include the reseller domain',
  'permission-denied':
    'the credentials may not purchase for this customer: check the service account and the reseller account',
  unauthenticated:
    'check Application Default Credentials and the https://www.googleapis.com/auth/apps.order scope',
  'rate-limited': 'Cloud Channel quota exceeded (about 120 requests per minute): pace bulk work',
  unavailable: 'Cloud Channel is unavailable; retrying is safe (the request_id dedupes creates)',
  internal: 'a Cloud Channel backend error; retry, and contact Cloud Channel support if it persists',
  'deadline-exceeded': 'no answer in time; retrying is safe (the request_id dedupes creates)',
};

/** Specific advice for ErrorInfo reasons that name one documented case. */
const REASON_ADVICE: Record<string, string> = {
  DOMAIN_NOT_VERIFIED: 'the domain is not verified: verify it before purchasing',
  PREREQUISITE_SKU_MISSING:
    'a prerequisite SKU is missing: purchase the base SKU first (e.g. Business Starter before Vault)',
};

export interface StatusLike {
  code?: number | null;
  message?: string | null;
  details?: unknown[] | null;
}

export interface DecodedDetails {
  details: unknown[];
  reason?: string;
  retryAfterMs?: number;
}

/** Decodes `google.rpc.Status.details` (Any values or already-decoded objects). */
export function decodeDetails(details: readonly unknown[] | null | undefined): DecodedDetails {
  const decoded: unknown[] = [];
  let reason: string | undefined;
  let retryAfterMs: number | undefined;
  for (const detail of details ?? []) {
    const unpacked = unpackAny(detail);
    const value = (unpacked ? { '@type': unpacked.type, ...unpacked.value } : detail) as Record<
      string,
      unknown
    >;
    decoded.push(value);
    if (typeof value.reason === 'string' && reason === undefined) reason = value.reason;
    const delay = value.retryDelay as { seconds?: string | number; nanos?: number } | undefined;
    if (delay) retryAfterMs = Number(delay.seconds ?? 0) * 1000 + Math.round((delay.nanos ?? 0) / 1e6);
  }
  const result: DecodedDetails = { details: decoded };
  if (reason !== undefined) result.reason = reason;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}

/** Advice for a not-found that is not about a create's customer or offer. */
const NOT_FOUND_ADVICE: Record<string, string> = {
  get: 'no entitlement has that name: check accounts/{account}/customers/{customer}/entitlements/{entitlement}',
  poll: 'no such operation: check the token, or whether the operation expired',
  cancel: 'no such operation: check the token, or whether the operation expired',
};

function compose(
  code: number,
  message: string | undefined,
  reason: string | undefined,
  what: string,
): string {
  const kind = kindForCode(code);
  const advice =
    (reason && REASON_ADVICE[reason]) ??
    (kind === 'not-found' ? NOT_FOUND_ADVICE[what] : undefined) ??
    ADVICE[kind];
  const name = GRPC_CODE_NAMES[code] ?? `code ${code}`;
  return [
    `Cloud Channel ${what} failed with ${name}`,
    message || undefined,
    reason ? `reason ${reason}` : undefined,
    advice,
  ]
    .filter(Boolean)
    .join(': ');
}

interface GaxErrorLike {
  code?: number;
  details?: string;
  message?: string;
  statusDetails?: unknown[];
  reason?: string;
  note?: string;
}

/** An error thrown by a gax call (gRPC or REST transport). */
export function errorFromCall(
  error: unknown,
  what: string,
  extra: { attempts: number; operationName?: string },
): EntitlementError {
  const gaxError = (error ?? {}) as GaxErrorLike;
  const code = typeof gaxError.code === 'number' ? gaxError.code : 2;
  const decoded = decodeDetails(Array.isArray(gaxError.statusDetails) ? gaxError.statusDetails : []);
  const reason = gaxError.reason ?? decoded.reason;
  const message =
    typeof gaxError.details === 'string' && gaxError.details ? gaxError.details : gaxError.message;
  return new EntitlementError({
    kind: kindForCode(code),
    vendor: GOOGLE_CHANNEL,
    message: compose(code, message, reason, what),
    grpcCode: code,
    ...(reason ? { reason } : {}),
    ...(decoded.retryAfterMs !== undefined ? { retryAfterMs: decoded.retryAfterMs } : {}),
    ...(extra.operationName ? { operationName: extra.operationName } : {}),
    attempts: extra.attempts,
    details: decoded.details,
    cause: error,
  });
}

/** A long-running operation that finished with an error: the purchase failed. */
export function errorFromOperationStatus(
  status: StatusLike,
  operationName: string,
  token: string,
): EntitlementError {
  const code = status.code ?? 2;
  const decoded = decodeDetails(status.details);
  const kind = kindForCode(code);
  return new EntitlementError({
    kind: kind === 'cancelled' ? 'cancelled' : 'operation-failed',
    vendor: GOOGLE_CHANNEL,
    retryable: false,
    message: compose(code, status.message ?? undefined, decoded.reason, `operation ${operationName}`),
    grpcCode: code,
    operationName,
    token,
    ...(decoded.reason ? { reason: decoded.reason } : {}),
    details: decoded.details,
  });
}
