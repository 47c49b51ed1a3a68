/**
 * Checks names and requests before any call is made, with the rules generated from the protos
 * (field types, field_behavior, resource name patterns, the Operations http rules).
 */
import {
  type Entitlement,
  Operations_HTTP_RULES,
  REQUEST_MESSAGES,
  TYPE_NAMES,
} from '../../../generated/google/channel.ts';
import { EntitlementError } from '../../core/errors.ts';
import { describe, type FieldViolation, MAX_NAME_LENGTH, RequestChecker } from './request-fields.ts';
import { GOOGLE_CHANNEL } from './types.ts';

const CREATE = REQUEST_MESSAGES[TYPE_NAMES.CreateEntitlementRequest];
const PARENT_PATTERNS = CREATE.fields.parent.patterns;
const ENTITLEMENT_PATTERNS = REQUEST_MESSAGES[TYPE_NAMES.GetEntitlementRequest].fields.name.patterns;
/** Fields of CreateEntitlementRequest the library sets itself: `requestId` comes from the idempotency key. */
const SET_BY_LIBRARY = ['requestId'] as const satisfies readonly (keyof typeof CREATE.fields)[];
/** What the library's create request adds to CreateEntitlementRequest's fields. */
const LIBRARY_FIELDS = ['vendor', 'externalCorrelationId'];

/** The name an operation has, from GetOperation's http rule (`/v1/{name=operations/**}`). */
const OPERATION = (() => {
  const rule = Operations_HTTP_RULES.find((r) => r.selector === `${TYPE_NAMES.Operations}.GetOperation`);
  const template = rule && 'get' in rule ? rule.get : '';
  const variable = /\{name=([^}]+)\}/.exec(template)?.[1];
  if (!variable) throw new Error('the generated GetOperation http rule binds no name');
  const source = variable
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '[A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9][A-Za-z0-9._~-]*)*'
        : segment === '*'
          ? '[A-Za-z0-9][A-Za-z0-9._~-]*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return { regex: new RegExp(`^${source}$`), shape: variable.replaceAll('**', '{id}') };
})();

export function invalidArgument(message: string, details: readonly unknown[] = []): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: GOOGLE_CHANNEL, message, details });
}

/** Refused fields, reported like google.rpc.BadRequest's field violations. */
function refused(what: string, violations: readonly FieldViolation[]): EntitlementError {
  const list = violations.map((violation) => violation.description).join('; ');
  return invalidArgument(`Invalid Cloud Channel ${what}, nothing was sent: ${list}.`, violations);
}

function checkName(field: string, value: unknown, patterns: readonly string[], what: string): string {
  const checker = new RequestChecker();
  const name = checker.string(field, value, patterns);
  if (name === undefined || checker.violations.length > 0) throw refused(what, checker.violations);
  return name;
}

export function checkParent(parent: unknown): string {
  return checkName('parent', parent, PARENT_PATTERNS, 'customer name');
}

export function checkEntitlementName(name: unknown): string {
  return checkName('name', name, ENTITLEMENT_PATTERNS, 'entitlement name');
}

export function checkOperationName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name.length > MAX_NAME_LENGTH ||
    !OPERATION.regex.test(name) ||
    name.includes('..')
  ) {
    const description = `operation ${describe(name).replace(/^the string /, '')} is not a Cloud Channel operation name (${OPERATION.shape})`;
    throw invalidArgument(`${description}.`, [{ field: 'operation', description }]);
  }
  return name;
}

/** The create request as it is sent: exactly the fields checked, in their wire form. */
export interface CheckedCreateRequest {
  /** `accounts/{account}/customers/{customer}` */
  parent: string;
  /** The entitlement's settable fields: int64 as decimal strings, enums by name, bytes as bytes. */
  entitlement: Entitlement & { offer: string };
  externalCorrelationId?: string;
}

/**
 * The create request, checked against the generated rules of CreateEntitlementRequest (types,
 * unknown and output-only fields, required fields, oneofs, name patterns), plus what Cloud Channel
 * documents about parameters (each has a name and a value; no name twice). Throws
 * `invalid-argument` naming every refused field; returns the wire-ready request.
 */
export function checkCreateRequest(request: unknown): CheckedCreateRequest {
  const shape =
    'a Cloud Channel create request is { vendor: "google-channel", parent, entitlement: { offer, ... } }';
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw invalidArgument(`${shape}, not ${describe(request)}.`, [{ field: 'vendor', description: shape }]);
  const candidate = request as Record<string, unknown>;
  if (candidate.vendor !== GOOGLE_CHANNEL)
    throw invalidArgument(`${shape}; vendor is ${describe(candidate.vendor)}.`, [
      { field: 'vendor', description: shape },
    ]);

  const checker = new RequestChecker();
  for (const field of SET_BY_LIBRARY)
    if (Object.hasOwn(candidate, field))
      checker.violations.push({
        field,
        description: `${field} is not part of the request: it is derived from the idempotencyKey call option`,
      });
  const message = Object.fromEntries(
    Object.entries(candidate).filter(
      ([key]) => !LIBRARY_FIELDS.includes(key) && !(SET_BY_LIBRARY as readonly string[]).includes(key),
    ),
  );
  const checked = checker.message('', TYPE_NAMES.CreateEntitlementRequest, message, SET_BY_LIBRARY);
  const parameters = message.entitlement && (message.entitlement as { parameters?: unknown }).parameters;
  if (Array.isArray(parameters)) {
    const seen = new Map<string, number>();
    parameters.forEach((parameter: { name?: unknown; value?: unknown } | null | undefined, index) => {
      const at = `entitlement.parameters[${index}]`;
      if (parameter === null || typeof parameter !== 'object') return; // reported by the checker
      if (typeof parameter.name !== 'string' || parameter.name === '')
        checker.violations.push({ field: `${at}.name`, description: `${at}.name is required` });
      else if (seen.has(parameter.name))
        checker.violations.push({
          field: `${at}.name`,
          description: `${at}.name ${JSON.stringify(parameter.name)} is also entitlement.parameters[${seen.get(parameter.name)}]'s: give each parameter once`,
        });
      else seen.set(parameter.name, index);
      if (parameter.value === undefined || parameter.value === null)
        checker.violations.push({ field: `${at}.value`, description: `${at}.value is required` });
    });
  }
  let externalCorrelationId: string | undefined;
  if (candidate.externalCorrelationId !== undefined) {
    externalCorrelationId = checker.string('externalCorrelationId', candidate.externalCorrelationId);
    if (externalCorrelationId !== undefined && externalCorrelationId.length > MAX_NAME_LENGTH)
      checker.violations.push({
        field: 'externalCorrelationId',
        description: `externalCorrelationId is longer than ${MAX_NAME_LENGTH} characters`,
      });
  }
  if (checker.violations.length > 0 || !checked) throw refused('create request', checker.violations);
  const result: CheckedCreateRequest = {
    parent: checked.parent as string,
    entitlement: checked.entitlement as CheckedCreateRequest['entitlement'],
  };
  if (externalCorrelationId !== undefined) result.externalCorrelationId = externalCorrelationId;
  return result;
}
