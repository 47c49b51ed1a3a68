/**
 * Errors as Google APIs send them: a `google.rpc.Status` (code, message, details packed as Any).
 * Over gRPC the status travels as the call's status code and message plus the encoded Status in
 * the `grpc-status-details-bin` trailer; over REST as
 * `{"error": {"code": <http>, "message", "status": "<CODE_NAME>", "details": [...]}}` with the HTTP
 * status gRPC transcoding maps the code to.
 */
import {
  type BadRequest_FieldViolation,
  Code,
  Code_HTTP_STATUS,
  type PreconditionFailure_Violation,
  type QuotaFailure_Violation,
  TYPE_NAMES,
} from '../../../generated/google/channel.ts';
import { type AnyObject, duration, encode, packAny, toJson } from './descriptor.ts';

/** The canonical gRPC status codes (`google.rpc.Code`), generated from google/rpc/code.proto. */
export { Code };

export type CodeName = Code;

const NAMES = new Map<number, CodeName>(Object.entries(Code).map(([name, code]) => [code, name as CodeName]));

/** The name of a status code; codes outside google.rpc.Code are `UNKNOWN`. */
export function codeName(code: number): CodeName {
  return NAMES.get(code) ?? (NAMES.get(Code.UNKNOWN) as CodeName);
}

/** The HTTP status of each code under gRPC transcoding (the "HTTP Mapping" of google/rpc/code.proto). */
export function httpStatus(code: number): number {
  return Code_HTTP_STATUS[codeName(code)];
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
  return packAny(TYPE_NAMES.ErrorInfo, { reason, domain, ...(hasMetadata ? { metadata } : {}) });
}

/** `google.rpc.BadRequest` packed as Any. */
export function badRequest(fieldViolations: BadRequest_FieldViolation[]): AnyObject {
  return packAny(TYPE_NAMES.BadRequest, { fieldViolations });
}

/** `google.rpc.PreconditionFailure` packed as Any. */
export function preconditionFailure(violations: PreconditionFailure_Violation[]): AnyObject {
  return packAny(TYPE_NAMES.PreconditionFailure, { violations });
}

/** `google.rpc.QuotaFailure` packed as Any. */
export function quotaFailure(violations: QuotaFailure_Violation[]): AnyObject {
  return packAny(TYPE_NAMES.QuotaFailure, { violations });
}

/** `google.rpc.RetryInfo` packed as Any, the delay rounded up to whole milliseconds. */
export function retryInfo(delayMs: number): AnyObject {
  return packAny(TYPE_NAMES.RetryInfo, { retryDelay: duration(delayMs) });
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
  return Buffer.from(encode(TYPE_NAMES.Status, status));
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
  const rendered = toJson(TYPE_NAMES.Status, status, numericEnums) as { details?: unknown[] };
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
