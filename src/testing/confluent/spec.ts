/**
 * What the emulator reads from the vendor's OpenAPI document: the operations it serves, their
 * routes, the OAuth scopes their `security` requirements list, and a request validator for each.
 * The emulator's wire types come from the generated schema of the same document.
 */
import spec from '../../../generated/confluent/openapi.json' with { type: 'json' };
import type { operations, Readable } from '../../../generated/confluent/schema.ts';
import { isObject, type JsonObject } from '../../openapi/json-pointer.ts';
import { createOperationValidator } from '../../openapi/compile-validators.ts';
import type { OperationValidator } from '../../openapi/request-validator.ts';

/** The Confluent operations the emulator implements (`operationId` in the vendor's OpenAPI document). */
export type ConfluentOperationId = keyof operations;

/** The body of `POST /partner/v2/entitlements`, as the vendor defines it. */
export type ConfluentEntitlementRequest =
  operations['createPartnerV2Entitlement']['requestBody']['content']['application/json'];

/** An entitlement as the vendor returns it (`201` of create, `200` of get). */
export type ConfluentEntitlement = Readable<
  operations['getPartnerV2Entitlement']['responses'][200]['content']['application/json']
>;

/** The vendor's error body (`Failure`): a list of JSON:API-style errors. */
export type ConfluentFailure =
  operations['createPartnerV2Entitlement']['responses'][400]['content']['application/json'];

/** One error of a {@link ConfluentFailure}. */
export type ConfluentError = NonNullable<ConfluentFailure['errors']>[number];

/** The operations this emulator answers; any other operation of the document gets `501`. */
const IMPLEMENTED: ReadonlySet<string> = new Set<ConfluentOperationId>([
  'createPartnerV2Entitlement',
  'getPartnerV2Entitlement',
]);

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** One operation of the document, ready to route and check. */
export interface SpecOperation {
  readonly operationId: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path template, e.g. `/partner/v2/entitlements/{id}`. */
  readonly pathTemplate: string;
  /**
   * The operation's security requirements as lists of OAuth scopes: a caller must hold every scope
   * of at least one list (OpenAPI semantics: requirement objects are alternatives, the schemes and
   * scopes within one are all needed). An empty outer list asks for no scope.
   */
  readonly scopeRequirements: readonly (readonly string[])[];
  /** Whether the emulator implements it (the document may describe more than it serves). */
  readonly implemented: boolean;
  readonly validator: OperationValidator;
  match(pathname: string): Record<string, string> | undefined;
}

/** Where a request lands. */
export type RouteMatch =
  | { kind: 'operation'; operation: SpecOperation; pathParams: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: readonly string[] }
  | { kind: 'not-found' };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pathMatcher(template: string): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return escapeRegExp(part);
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  const pattern = new RegExp(`^${source}$`);
  return (pathname) => {
    const found = pattern.exec(pathname);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
    } catch {
      return undefined; // malformed percent-encoding: no resource has such a name
    }
    return params;
  };
}

function scopeRequirementsOf(operation: JsonObject, doc: JsonObject): string[][] {
  const security = Array.isArray(operation.security)
    ? operation.security
    : Array.isArray(doc.security)
      ? doc.security
      : [];
  return security.filter(isObject).map((requirement) =>
    Object.values(requirement)
      .flatMap((scopes) => (Array.isArray(scopes) ? scopes : []))
      .map(String),
  );
}

function loadOperations(document: unknown): SpecOperation[] {
  if (!isObject(document) || !isObject(document.paths)) throw new TypeError('not an OpenAPI document');
  const result: SpecOperation[] = [];
  for (const [pathTemplate, pathItem] of Object.entries(document.paths)) {
    if (!isObject(pathItem)) continue;
    const match = pathMatcher(pathTemplate);
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!HTTP_METHODS.has(method) || !isObject(operation)) continue;
      if (typeof operation.operationId !== 'string') continue;
      result.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        scopeRequirements: scopeRequirementsOf(operation, document),
        implemented: IMPLEMENTED.has(operation.operationId),
        validator: createOperationValidator(document, operation.operationId),
        match,
      });
    }
  }
  return result;
}

let cached: SpecOperation[] | undefined;

/** The document's operations; the validators are compiled once per process, on first use. */
export function specOperations(): readonly SpecOperation[] {
  cached ??= loadOperations(spec);
  return cached;
}

/** Finds the operation for a method and path, or says why there is none. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const allow: string[] = [];
  for (const operation of specOperations()) {
    const pathParams = operation.match(pathname);
    if (!pathParams) continue;
    if (operation.method === method.toUpperCase()) return { kind: 'operation', operation, pathParams };
    allow.push(operation.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}
