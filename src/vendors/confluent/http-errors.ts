/**
 * From an HTTP outcome to an EntitlementError (docs/architecture.md, "Errors"). Handles the vendor's JSON error
 * list, empty bodies and non-JSON bodies; reads Retry-After / X-RateLimit-Reset (relative seconds).
 * Messages say what to do and never contain credentials.
 */
import { EntitlementError, type ErrorKind } from '../../core/errors.ts';
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

/** What to do about a failure of each kind, by operation: reads and creates call for different advice. */
function advice(kind: ErrorKind, operation: string): string | undefined {
  const create = operation === 'create';
  switch (kind) {
    case 'invalid-argument':
      return 'Fix the request: sending it unchanged fails again.';
    case 'unauthenticated':
      return 'Check the partner token, or the Cloud API key and secret (CONFLUENT_PARTNER_TOKEN, CONFLUENT_API_KEY, CONFLUENT_API_SECRET).';
    case 'permission-denied':
      return 'The credentials are valid but not allowed to do this: give the token the partner:create and partner:describe scopes, or the API key a partner role.';
    case 'not-found':
      return create ? 'Check the organization id.' : 'Check the entitlement id and the organization id.';
    case 'rate-limited':
      return 'Slow down: pace bulk work below the vendor limit.';
    case 'unavailable':
    case 'internal':
    case 'deadline-exceeded':
      return create ? 'Retrying is safe: creates are idempotent by external_id.' : 'Retry the read later.';
    default:
      return undefined;
  }
}

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
  const verb = status >= 500 || status === 429 ? 'answered' : 'refused';
  const headline =
    kind === 'not-found' && facts.operation !== 'create'
      ? `Confluent has no entitlement${subject} (HTTP 404)`
      : `Confluent ${verb} the ${facts.operation}${subject} with HTTP ${status}`;
  const wait = kind === 'rate-limited' ? retryAfterMs(headers) : undefined;
  const said = detail ? `: ${detail.replace(/[\s.]+$/, '')}` : '';
  const cause = `${headline}${said}${wait !== undefined ? `; it asks to wait ${Math.ceil(wait / 1000)} s` : ''}.`;
  const action = advice(kind, facts.operation);
  const requestId = headers.get('x-request-id') ?? undefined;
  const reason = items.find((item) => item.code)?.code;
  return new EntitlementError({
    kind,
    vendor: CONFLUENT,
    message: action ? `${cause} ${action}` : cause,
    httpStatus: status,
    ...(requestId === undefined ? {} : { requestId }),
    ...(reason === undefined ? {} : { reason }),
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    attempts: facts.attempts,
    details: items,
  });
}

/**
 * A 3xx answer, or a response that a custom fetch reached by following a redirect. Redirects are
 * never followed: a POST would be sent again elsewhere, with the credentials.
 */
export function errorFromRedirect(facts: {
  operation: string;
  response: Response;
  base: URL;
  attempts: number;
}): EntitlementError {
  const { response, base } = facts;
  const location = response.headers.get('location') ?? (response.redirected ? response.url : undefined);
  const where = location ? ` to ${JSON.stringify(location.slice(0, 300))}` : '';
  const requestId = response.headers.get('x-request-id') ?? undefined;
  return new EntitlementError({
    kind: 'internal',
    vendor: CONFLUENT,
    retryable: false,
    message:
      `Confluent answered the ${facts.operation} with a redirect${where} (HTTP ${response.status}), which is never followed. ` +
      `Check that the base URL ${base.origin}${base.pathname} is the API's own address.`,
    httpStatus: response.status,
    reason: 'REDIRECT',
    ...(location ? { resourceUri: location } : {}),
    ...(requestId === undefined ? {} : { requestId }),
    attempts: facts.attempts,
  });
}

/** A request that got no HTTP answer: refused, reset, timed out, or not valid JSON. */
export function errorFromTransport(
  error: unknown,
  facts: {
    operation: string;
    attempts: number;
    timedOut: boolean;
    endpoint: string;
    response: { httpStatus?: number };
    /** The caller gave the adapter a fetch of its own (the `fetch` option). */
    customFetch?: boolean;
  },
): EntitlementError {
  const { operation, endpoint } = facts;
  if (facts.timedOut) {
    return new EntitlementError({
      kind: 'deadline-exceeded',
      vendor: CONFLUENT,
      message: `Confluent at ${endpoint} did not answer the ${operation} within the request timeout. ${advice('deadline-exceeded', operation)}`,
      attempts: facts.attempts,
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new EntitlementError({
      kind: 'internal',
      vendor: CONFLUENT,
      message: `Confluent at ${endpoint} answered the ${operation} with a body that is not valid JSON. ${advice('internal', operation)}`,
      attempts: facts.attempts,
      ...(facts.response.httpStatus === undefined ? {} : { httpStatus: facts.response.httpStatus }),
      cause: error,
    });
  }
  const network = networkCause(error);
  if (network === undefined && facts.customFetch) {
    // The caller's own fetch threw something that is no network failure: its fault, not ours.
    return new EntitlementError({
      kind: 'internal',
      vendor: CONFLUENT,
      retryable: false,
      reason: 'CUSTOM_FETCH_FAILED',
      message: `The fetch given as the \`fetch\` option threw during the ${operation}: ${errorText(error)}. Fix that fetch, or leave the option out to use the global one.`,
      attempts: facts.attempts,
      cause: error,
    });
  }
  if (network === undefined) {
    // Not a network failure: the request could not even be built. Retrying cannot help.
    return new EntitlementError({
      kind: 'internal',
      vendor: CONFLUENT,
      retryable: false,
      message: `The ${operation} request to Confluent could not be sent: ${errorText(error)}. This is a bug in entitlement-provisioner: report it.`,
      attempts: facts.attempts,
      cause: error,
    });
  }
  return new EntitlementError({
    kind: 'unavailable',
    vendor: CONFLUENT,
    message: `Could not reach Confluent at ${endpoint} during the ${operation}${network ? ` (${network})` : ''}. Check the base URL (CONFLUENT_BASE_URL) and that the server is up; ${lowerFirst(advice('unavailable', operation) ?? '')}`,
    attempts: facts.attempts,
    cause: error,
  });
}

/** The network error code of a failed fetch (`ECONNREFUSED`, ...), '' when it has none; undefined when it was no network failure. */
function networkCause(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') {
    const code = (error as { code?: unknown })?.code;
    return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message.slice(0, 120) : '';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : typeof error;
}
