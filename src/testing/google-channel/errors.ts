/**
 * Errors as Google APIs send them: a `google.rpc.Status` (code, message, details packed as Any).
 * Over gRPC the status travels as the call's status code and message plus the encoded Status in
 * the `grpc-status-details-bin` trailer; over REST as
 * `{"error": {"code": <http>, "message", "status": "<CODE_NAME>", "details": [...]}}` with the HTTP
 * status gRPC transcoding maps the code to.
 */
import type {
  BadRequest_FieldViolation,
  PreconditionFailure_Violation,
  QuotaFailure_Violation,
} from '../../../generated/google/channel.ts';
import { type AnyObject, duration, encode, packAny, toJson } from './descriptor.ts';

/** The canonical gRPC status codes (`google.rpc.Code`). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type CodeName = keyof typeof Code;

const NAMES = Object.fromEntries(Object.entries(Code).map(([name, code]) => [code, name])) as Record<
  number,
  CodeName | undefined
>;

/** The name of a status code; codes outside 0..16 are `UNKNOWN`. */
export function codeName(code: number): CodeName {
  return NAMES[code] ?? 'UNKNOWN';
}

/** The HTTP status of each code under gRPC transcoding (google/rpc/code.proto). */
const HTTP_STATUS: Readonly<Record<CodeName, number>> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

export function httpStatus(code: number): number {
  return HTTP_STATUS[codeName(code)];
}

/** The `ErrorInfo.domain` of the emulator's own errors. */
export const ERROR_DOMAIN = 'cloudchannel.googleapis.com';

/** A `google.rpc.Status` in object form. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyObject[];
}

export function rpcStatus(code: number, message: string, details: AnyObject[] = []): RpcStatus {
  return { code, message, details };
}

/** `google.rpc.ErrorInfo` packed as Any. */
export function errorInfo(
  reason: string,
  metadata: Record<string, string> = {},
  domain: string = ERROR_DOMAIN,
): AnyObject {
  const hasMetadata = Object.keys(metadata).length > 0;
  return packAny('google.rpc.ErrorInfo', { reason, domain, ...(hasMetadata ? { metadata } : {}) });
}

/** `google.rpc.BadRequest` packed as Any. */
export function badRequest(fieldViolations: BadRequest_FieldViolation[]): AnyObject {
  return packAny('google.rpc.BadRequest', { fieldViolations });
}

/** `google.rpc.PreconditionFailure` packed as Any. */
export function preconditionFailure(violations: PreconditionFailure_Violation[]): AnyObject {
  return packAny('google.rpc.PreconditionFailure', { violations });
}

/** `google.rpc.QuotaFailure` packed as Any. */
export function quotaFailure(violations: QuotaFailure_Violation[]): AnyObject {
  return packAny('google.rpc.QuotaFailure', { violations });
}

/** `google.rpc.RetryInfo` packed as Any, the delay rounded up to whole milliseconds. */
export function retryInfo(delayMs: number): AnyObject {
  return packAny('google.rpc.RetryInfo', { retryDelay: duration(delayMs) });
}

// ---------------------------------------------------------------------------------------------
// Frequent statuses

/** INVALID_ARGUMENT for one request field, with ErrorInfo and BadRequest details. */
export function invalidArgument(field: string, message: string, reason: string): RpcStatus {
  return rpcStatus(Code.INVALID_ARGUMENT, message, [
    errorInfo(reason, { field }),
    badRequest([{ field, description: message }]),
  ]);
}

/** NOT_FOUND for a named resource, with an ErrorInfo detail naming it. */
export function notFound(resourceType: string, name: string, reason: string): RpcStatus {
  return rpcStatus(Code.NOT_FOUND, `${resourceType} ${name} was not found.`, [
    errorInfo(reason, { resource: name }),
  ]);
}

/** UNAVAILABLE, as a backend or the network in front of it would answer. */
export function unavailable(message = 'The service is currently unavailable.'): RpcStatus {
  return rpcStatus(Code.UNAVAILABLE, message, [errorInfo('SERVICE_UNAVAILABLE')]);
}

// ---------------------------------------------------------------------------------------------
// Encodings

/** The bytes of the `grpc-status-details-bin` trailer: the encoded `google.rpc.Status`. */
export function encodeStatus(status: RpcStatus): Buffer {
  return Buffer.from(encode('google.rpc.Status', status));
}

/** The body Google's REST front end sends for an error. */
export interface RestErrorBody {
  error: {
    /** The HTTP status. */
    code: number;
    message: string;
    /** The gRPC code's name, e.g. `ALREADY_EXISTS`. */
    status: CodeName;
    /**
     * Each detail in proto3 JSON: `{"@type": "type.googleapis.com/google.rpc.ErrorInfo", ...}`;
     * absent when the status has none.
     */
    details?: unknown[];
  };
}

export function restErrorBody(status: RpcStatus, numericEnums = false): RestErrorBody {
  const rendered = toJson('google.rpc.Status', status, numericEnums) as { details?: unknown[] };
  const details = rendered.details ?? [];
  return {
    error: {
      code: httpStatus(status.code),
      message: status.message,
      status: codeName(status.code),
      ...(details.length === 0 ? {} : { details }),
    },
  };
}
