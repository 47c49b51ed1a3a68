/**
 * What the emulator reads from the vendor's OpenAPI document: the operations it serves, their
 * routes, the OAuth scopes their `security` requirements list, a request validator for each, and
 * the shape of the entitlement it stores. By default the document is the one `npm run generate`
 * wrote (generated/confluent/openapi.json); an emulator may be started from another one.
 *
 * The validators are compiled with ajv when a document is first used (once per document per
 * process), not taken from generated/: the emulator serves any document it is given, and its
 * checks come from a compilation independent of the standalone code the adapter imports.
 * The emulator's wire types come from the generated schema.
 */
import defaultDocument from '../../../generated/confluent/openapi.json' with { type: 'json' };
import type { operations, Readable } from '../../../generated/confluent/schema.ts';
import { compileOperationSchemas } from '../../openapi/compile-validators.ts';
import { isObject, type JsonObject } from '../../openapi/json-pointer.ts';
import { HTTP_METHODS } from '../../openapi/operation-schemas.ts';
import { type OperationValidator, operationValidator } from '../../openapi/request-validator.ts';
import { type FieldShape, operationShape } from '../../openapi/shape.ts';

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

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

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

/** A document the emulator serves: its operations and the shape of what it stores. */
export interface EmulatedSpec {
  readonly operations: readonly SpecOperation[];
  /** The entitlement as the create request carries it, and as the vendor returns it. */
  readonly entitlement: { readonly request: FieldShape; readonly resource: FieldShape };
  /** Finds the operation for a method and path, or says why there is none. */
  match(method: string, pathname: string): RouteMatch;
}

function loadSpec(document: unknown): EmulatedSpec {
  if (!isObject(document) || !isObject(document.paths)) throw new TypeError('not an OpenAPI document');
  const validators = compileOperationSchemas(document);
  const operations: SpecOperation[] = [];
  for (const [pathTemplate, pathItem] of Object.entries(document.paths)) {
    if (!isObject(pathItem)) continue;
    const match = pathMatcher(pathTemplate);
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      if (typeof operation.operationId !== 'string') continue;
      const schemas = validators.get(operation.operationId);
      if (!schemas) continue;
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        scopeRequirements: scopeRequirementsOf(operation, document),
        implemented: IMPLEMENTED.has(operation.operationId),
        validator: operationValidator(schemas),
        match,
      });
    }
  }
  for (const operationId of IMPLEMENTED)
    if (!operations.some((operation) => operation.operationId === operationId))
      throw new TypeError(`the OpenAPI document has no operation "${operationId}" for the emulator to serve`);
  const create = operationShape(document, 'createPartnerV2Entitlement' satisfies ConfluentOperationId);
  const read = operationShape(document, 'getPartnerV2Entitlement' satisfies ConfluentOperationId);
  const resource = read.responses['200'] ?? create.responses['201'] ?? {};
  return {
    operations,
    entitlement: { request: create.requestBody?.schema ?? {}, resource },
    match(method, pathname) {
      const allow: string[] = [];
      for (const operation of operations) {
        const pathParams = operation.match(pathname);
        if (!pathParams) continue;
        if (operation.method === method.toUpperCase()) return { kind: 'operation', operation, pathParams };
        allow.push(operation.method);
      }
      return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
    },
  };
}

const loaded = new WeakMap<object, EmulatedSpec>();

/**
 * The emulator's view of `document` (default: generated/confluent/openapi.json), built once per
 * document object.
 */
export function emulatedSpec(document: unknown = defaultDocument): EmulatedSpec {
  if (!isObject(document)) throw new TypeError('spec must be an OpenAPI document (an object)');
  let spec = loaded.get(document);
  if (!spec) {
    spec = loadSpec(document);
    loaded.set(document, spec);
  }
  return spec;
}
