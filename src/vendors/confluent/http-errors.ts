/**
 * From an HTTP outcome to an EntitlementError (DESIGN section 3). Handles the vendor's JSON error
 * list, empty bodies and non-JSON bodies; reads Retry-After / X-RateLimit-Reset (relative seconds).
 * Messages say what to do and never contain credentials.
 */
import { EntitlementError, type ErrorKind } from '../../core/index.ts';
import { CONFLUENT, type ConfluentErrorItem } from './types.ts';

export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'invalid-argument';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'permission-denied';
    case 404:
      return 'not-found';
    case 409:
      return 'already-exists';
    case 408:
      return 'deadline-exceeded';
    case 429:
      return 'rate-limited';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : status === 412 ? 'failed-precondition' : 'invalid-argument';
  }
}

const ADVICE: Partial<Record<ErrorKind, string>> = {
  'invalid-argument': 'fix the request; retrying it unchanged will fail again',
  unauthenticated: 'check the partner token or the Cloud API key and secret',
  'permission-denied':
    'the credentials are valid but not allowed to do this: check the token scopes (partner:create, partner:describe) or the API key role',
  'rate-limited': 'slow down: pace bulk work below the vendor limit',
  unavailable: 'the vendor is unavailable; retrying is safe (creates are idempotent by external_id)',
  internal: 'the vendor failed; retrying is safe (creates are idempotent by external_id)',
  'deadline-exceeded':
    'the vendor did not answer in time; retrying is safe (creates are idempotent by external_id)',
};

/** Seconds from Retry-After (seconds or an HTTP date) or X-RateLimit-Reset (relative seconds). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.round(Number(reset) * 1000);
  return undefined;
}

function errorItems(body: unknown): ConfluentErrorItem[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.filter((item) => typeof item === 'object' && item !== null) : [];
}

function describeBody(body: unknown, contentType: string | null): string | undefined {
  const items = errorItems(body);
  if (items.length > 0) {
    return items
      .map((item) => {
        const text = item.detail ?? item.title ?? item.code ?? 'error';
        const where = item.source?.pointer ?? item.source?.parameter;
        return where ? `${text} (at ${where})` : text;
      })
      .join('; ');
  }
  if (body === undefined || body === '') return 'empty response body';
  if (typeof body === 'string')
    return `non-JSON response body (${contentType ?? 'no content type'}, ${body.length} bytes)`;
  return undefined;
}

export interface ResponseFacts {
  operation: string;
  status: number;
  headers: Headers;
  body: unknown;
  attempts: number;
  /** What the caller asked for, to make 404 and 409 messages specific. */
  subject?: string;
}

export function errorFromResponse(facts: ResponseFacts): EntitlementError {
  const { status, headers, body } = facts;
  const kind = kindForStatus(status);
  const items = errorItems(body);
  const detail = describeBody(body, headers.get('content-type'));
  const subject = facts.subject ? ` ${facts.subject}` : '';
  const headline =
    kind === 'not-found'
      ? `Confluent has no entitlement${subject}`
      : `Confluent ${facts.operation} failed with HTTP ${status}${subject}`;
  const advice = ADVICE[kind];
  const wait = kind === 'rate-limited' ? retryAfterMs(headers) : undefined;
  return new EntitlementError({
    kind,
    vendor: CONFLUENT,
    message: [
      headline,
      detail,
      wait !== undefined ? `retry after ${Math.ceil(wait / 1000)} s` : undefined,
      advice,
    ]
      .filter(Boolean)
      .join(': '),
    httpStatus: status,
    requestId: headers.get('x-request-id') ?? undefined,
    reason: items.find((item) => item.code)?.code,
    retryAfterMs: wait,
    attempts: facts.attempts,
    details: items,
  });
}

/** A request that got no HTTP answer: refused, reset, timed out, or aborted by the caller. */
export function errorFromTransport(
  error: unknown,
  facts: { operation: string; attempts: number; timedOut: boolean; cancelled: boolean },
): EntitlementError {
  if (facts.cancelled) {
    return new EntitlementError({
      kind: 'cancelled',
      vendor: CONFLUENT,
      message: `Confluent ${facts.operation} was cancelled by the caller's AbortSignal`,
      attempts: facts.attempts,
      cause: error,
    });
  }
  if (facts.timedOut) {
    return new EntitlementError({
      kind: 'deadline-exceeded',
      vendor: CONFLUENT,
      message: `Confluent ${facts.operation} got no answer within the request timeout: ${ADVICE['deadline-exceeded']}`,
      attempts: facts.attempts,
      cause: error,
    });
  }
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  const what =
    error instanceof SyntaxError ? 'answered with a body that is not valid JSON' : 'could not be reached';
  return new EntitlementError({
    kind: error instanceof SyntaxError ? 'internal' : 'unavailable',
    vendor: CONFLUENT,
    message: `Confluent ${what}${code ? ` (${code})` : ''} during ${facts.operation}: ${ADVICE.unavailable}`,
    attempts: facts.attempts,
    cause: error,
  });
}
