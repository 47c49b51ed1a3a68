/**
 * The vendor's error body, `{errors: [{id, status, code, title, detail, source}]}` (the `Failure`
 * schema of every error response in the OpenAPI document). Codes and titles follow the examples
 * the vendor publishes for each status.
 */
import { randomUUID } from 'node:crypto';
import type { RequestIssue } from '../../openapi/request-validator.ts';
import type { ConfluentError, ConfluentFailure } from './spec.ts';

/** The fields of one error, without the generated `id` and the `status` string. */
export interface ErrorInit {
  code?: string;
  title: string;
  detail?: string;
  source?: { pointer: string } | { parameter: string };
}

/** One error object with a fresh occurrence id. */
export function vendorError(status: number, init: ErrorInit): ConfluentError {
  const error: ConfluentError = { id: randomUUID(), status: String(status) };
  if (init.code !== undefined) error.code = init.code;
  error.title = init.title;
  if (init.detail !== undefined) error.detail = init.detail;
  if (init.source !== undefined) error.source = init.source;
  return error;
}

/** A `Failure` body holding one error. */
export function failure(status: number, init: ErrorInit): ConfluentFailure {
  return { errors: [vendorError(status, init)] };
}

/** `401`: the credentials are missing, malformed or unknown (never echoed). */
export function unauthenticated(): ConfluentFailure {
  return failure(401, {
    code: 'user_unauthenticated',
    title: 'Authentication Required',
    detail: 'Valid authentication credentials must be provided',
  });
}

/** `403`: known credentials that lack the scopes the operation requires. */
export function forbidden(operationId: string, missingScopes: readonly string[]): ConfluentFailure {
  const scopes = missingScopes.map((scope) => `'${scope}'`).join(', ');
  return failure(403, {
    code: 'user_unauthorized',
    title: 'User Access Unauthorized',
    detail: `The credentials are not allowed to call '${operationId}' without the scope ${scopes}.`,
  });
}

/** `400` for a request body that does not match the operation's schema: one error per issue. */
export function invalidBody(issues: readonly RequestIssue[]): ConfluentFailure {
  return {
    errors: issues.map((issue) =>
      vendorError(400, {
        code: 'invalid_input',
        title: 'Invalid Input',
        detail: issue.message,
        source: { pointer: issue.pointer ?? '/' },
      }),
    ),
  };
}

/**
 * `400` for path and query parameters, worded like the vendor's own example for an unknown filter
 * (`invalid_filter`, "The 'delorean' resource can't be filtered by 'num_doors'").
 */
export function invalidParameters(issues: readonly RequestIssue[]): ConfluentFailure {
  return {
    errors: issues.map((issue) => {
      const parameter = issue.parameter ?? '';
      const unknown = issue.reason === 'unknown';
      return vendorError(400, {
        code: 'invalid_filter',
        title: 'Invalid Filter',
        detail: unknown ? `The 'entitlement' resource can't be filtered by '${parameter}'` : issue.message,
        source: { parameter },
      });
    }),
  };
}

/** `400` for a body that is not JSON, or not sent as `application/json`. */
export function malformedBody(detail: string): ConfluentFailure {
  return failure(400, {
    code: 'malformed_request',
    title: 'Malformed Request',
    detail,
    source: { pointer: '/' },
  });
}

/** `404` for a resource that does not exist (the vendor's example has no `code`). */
export function notFound(detail: string): ConfluentFailure {
  return failure(404, { title: 'Not Found', detail });
}

/** `405` for a known path called with a method it does not support. */
export function methodNotAllowed(method: string, path: string): ConfluentFailure {
  return failure(405, {
    code: 'method_not_allowed',
    title: 'Method Not Allowed',
    detail: `The method '${method}' is not allowed on '${path}'.`,
  });
}

/** `409`: an entitlement with this external id (in this organization) already exists. */
export function alreadyExists(externalId: string): ConfluentFailure {
  return failure(409, {
    code: 'resource_already_exists',
    title: 'Resource Already exists',
    detail: `The entitlement '${externalId}' already exists.`,
  });
}

/** `413`: the body is larger than the emulator accepts. */
export function payloadTooLarge(limitBytes: number): ConfluentFailure {
  return failure(413, {
    code: 'payload_too_large',
    title: 'Payload Too Large',
    detail: `The request body exceeds ${limitBytes} bytes.`,
  });
}

/** `501`: an operation of the document that this emulator does not serve. */
export function notImplemented(operationId: string): ConfluentFailure {
  return failure(501, {
    code: 'not_implemented',
    title: 'Not Implemented',
    detail: `The emulator does not implement '${operationId}'.`,
  });
}

const SERVER_ERRORS: Record<number, { code: string; title: string }> = {
  500: { code: 'internal_server_error', title: 'Internal Server Error' },
  502: { code: 'bad_gateway', title: 'Bad Gateway' },
  503: { code: 'service_unavailable', title: 'Service Unavailable' },
  504: { code: 'gateway_timeout', title: 'Gateway Timeout' },
};

/** A `5xx` body in the vendor's shape. */
export function serverError(
  status: number,
  detail = 'The request could not be processed.',
): ConfluentFailure {
  const known = SERVER_ERRORS[status] ?? { code: 'server_error', title: 'Server Error' };
  return failure(status, { ...known, detail });
}

/** The non-JSON page a load balancer sends in front of the API (`body: 'html'` faults). */
export function serverErrorHtml(status: number): string {
  const title = `${status} ${SERVER_ERRORS[status]?.title ?? 'Server Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}
