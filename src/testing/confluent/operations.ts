/**
 * The two partner/v2 operations: `createPartnerV2Entitlement` (POST /partner/v2/entitlements) and
 * `getPartnerV2Entitlement` (GET /partner/v2/entitlements/{id}). They run after authentication,
 * scope and parameter checks, and return the reply to send.
 */
import type { OperationValidator } from '../../openapi/request-validator.ts';
import { alreadyExists, invalidBody, malformedBody, notFound, payloadTooLarge } from './errors.ts';
import { mediaType, type Reply } from './http.ts';
import type { ConfluentEntitlementRequest, ConfluentOperationId } from './spec.ts';
import { type EntitlementStore, entitlementUrl } from './state.ts';

/** The request body as received. */
export type ReceivedBody =
  | { kind: 'empty' }
  | { kind: 'too-large'; limitBytes: number }
  | { kind: 'text'; text: string; contentType: string | undefined; json: { value: unknown } | undefined };

export interface OperationContext {
  readonly pathParams: Readonly<Record<string, string>>;
  /** Query parameters, already validated against the operation. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly body: ReceivedBody;
  readonly validator: OperationValidator;
  readonly store: EntitlementStore;
  /** Origin for `Location`, `metadata.self` and `related` URLs. */
  readonly origin: string;
}

export type OperationHandler = (context: OperationContext) => Reply;

function createEntitlement(context: OperationContext): Reply {
  const { body, validator } = context;
  if (body.kind === 'too-large') return { status: 413, json: payloadTooLarge(body.limitBytes) };
  let value: unknown;
  if (body.kind === 'text') {
    const type = mediaType(body.contentType);
    if (type !== 'application/json')
      return {
        status: 400,
        json: malformedBody(
          `The request body must be sent as 'application/json', not ${type ? `'${type}'` : 'without a Content-Type'}.`,
        ),
      };
    if (body.json === undefined)
      return { status: 400, json: malformedBody('The request body is not valid JSON.') };
    value = body.json.value;
  }
  const issues = validator.validateBody(value);
  if (issues.length > 0) return { status: 400, json: invalidBody(issues) };

  const request = value as ConfluentEntitlementRequest;
  const result = context.store.create(request, context.origin);
  if (!result.created) {
    return {
      status: 409,
      headers: { Location: entitlementUrl(context.origin, result.existing.id ?? '') },
      json: alreadyExists(request.external_id),
    };
  }
  return {
    status: 201,
    headers: { Location: entitlementUrl(context.origin, result.entitlement.id ?? '') },
    json: result.entitlement,
  };
}

function getEntitlement(context: OperationContext): Reply {
  const id = context.pathParams.id ?? '';
  const organizationId = context.query['organization.id'];
  const entitlement = context.store.get(id, typeof organizationId === 'string' ? organizationId : undefined);
  if (!entitlement) return { status: 404, json: notFound(`The entitlement '${id}' was not found.`) };
  return { status: 200, json: entitlement };
}

/** The implemented operations, by `operationId`. */
export const OPERATION_HANDLERS: Readonly<Record<ConfluentOperationId, OperationHandler>> = {
  createPartnerV2Entitlement: createEntitlement,
  getPartnerV2Entitlement: getEntitlement,
};
