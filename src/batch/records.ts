/**
 * What the journal keeps of results: an entitlement as JSON (without the call's metadata), and an
 * error as `EntitlementError.toJSON()` (kind, vendor, message, codes, token, details; never the
 * cause, which may hold a vendor client's internals). Both come back as the same types.
 */
import {
  EntitlementError,
  type EntitlementErrorInit,
  isEntitlementError,
  isErrorKind,
} from '../core/errors.ts';
import type { Entitlement } from '../core/types.ts';

export function entitlementToJson(entitlement: Entitlement): Record<string, unknown> {
  const { vendor, id, state, stateReasons, product, plan, externalId, createdAt, raw } = entitlement;
  return JSON.parse(
    JSON.stringify({
      vendor,
      id,
      state,
      ...(stateReasons ? { stateReasons } : {}),
      product,
      plan,
      ...(externalId !== undefined ? { externalId } : {}),
      ...(createdAt ? { createdAt: createdAt.toISOString() } : {}),
      raw,
    }),
  ) as Record<string, unknown>;
}

export function entitlementFromJson(json: Record<string, unknown>): Entitlement {
  const { createdAt, ...rest } = json;
  const entitlement = { ...rest } as unknown as Entitlement;
  if (typeof createdAt === 'string') entitlement.createdAt = new Date(createdAt);
  return entitlement;
}

export function errorToJson(error: EntitlementError): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(error.toJSON())) as Record<string, unknown>;
  } catch {
    const { details: _details, ...rest } = error.toJSON();
    return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
  }
}

export function errorFromJson(json: Record<string, unknown>): EntitlementError {
  const { name: _name, ...init } = json;
  const kind = isErrorKind(init.kind) ? init.kind : 'internal';
  return new EntitlementError({
    ...(init as unknown as EntitlementErrorInit),
    kind,
    vendor: typeof init.vendor === 'string' ? init.vendor : 'batch',
    message: typeof init.message === 'string' ? init.message : 'unknown error',
  });
}

/** Any thrown value as an EntitlementError (a bug in a custom adapter becomes `internal`). */
export function asEntitlementError(error: unknown, vendor: string): EntitlementError {
  if (isEntitlementError(error)) return error;
  return new EntitlementError({
    kind: 'internal',
    vendor,
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  });
}
