/**
 * Checks a request against one operation of an OpenAPI 3.0 document: the JSON body against its
 * schema, and path and query parameters against theirs. Used by the Confluent adapter (to refuse a
 * bad request before sending it) and by the Confluent emulator (to answer 400 like the vendor).
 *
 * This module compiles nothing: it wraps validators that were compiled already, either at generate
 * time (ajv standalone code in generated/, what the adapter imports) or at start by
 * `compile-validators.ts` (the emulator, tests). Both produce the same {@link OperationSchemas}.
 */

/** An ajv error, as far as the messages below read it (standalone code produces the same objects). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A compiled JSON-schema check, the shape of an ajv `ValidateFunction`. */
export interface CompiledSchema {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

/** One parameter of an operation, with its compiled schema. */
export interface CompiledParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: CompiledSchema;
}

/** Everything needed to check requests of one operation. */
export interface OperationSchemas {
  readonly operationId: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path template, e.g. `/partner/v2/entitlements/{id}`. */
  readonly path: string;
  /** True when the operation requires a body. */
  readonly bodyRequired: boolean;
  /** The JSON body's schema (request view), when the operation takes a JSON body. */
  readonly body?: CompiledSchema | undefined;
  readonly parameters: readonly CompiledParameter[];
}

/** One problem, located the way the vendor's error `source` does it. */
export interface RequestIssue {
  /** The operation the request was checked against. */
  operationId: string;
  /** Where the problem is. */
  in: 'body' | 'path' | 'query';
  /** JSON pointer into the body (`/plan_id`), for body problems. */
  pointer?: string;
  /** The parameter's name, for path and query problems. */
  parameter?: string;
  /** `unknown`: a field or parameter the operation does not define; `missing`: a required one is absent. */
  reason: 'missing' | 'unknown' | 'invalid';
  /** A sentence naming the operation and the field or parameter. */
  message: string;
}

export interface OperationValidator {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  /** True when the operation requires a body. */
  readonly bodyRequired: boolean;
  validateBody(body: unknown): RequestIssue[];
  validateParameters(values: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
  }): RequestIssue[];
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** What is wrong, from an ajv error (without where). */
function problem(error: SchemaError): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'enum': {
      const allowed = Array.isArray(error.params.allowedValues) ? error.params.allowedValues : [];
      return `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
    }
    default:
      return error.message ?? 'is invalid';
  }
}

/** The JSON pointer of the value an ajv error is about (the missing or extra member for those keywords). */
function pointerOf(error: SchemaError): string {
  if (error.keyword === 'required')
    return `${error.instancePath}/${escapePointer(String(error.params.missingProperty))}`;
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${escapePointer(String(error.params.additionalProperty))}`;
  return error.instancePath;
}

function reasonOf(error: SchemaError): RequestIssue['reason'] {
  if (error.keyword === 'required') return 'missing';
  if (error.keyword === 'additionalProperties') return 'unknown';
  return 'invalid';
}

function bodyIssue(operationId: string, error: SchemaError): RequestIssue {
  const pointer = pointerOf(error);
  const where = pointer === '' ? 'the body' : pointer;
  return {
    operationId,
    in: 'body',
    pointer: pointer === '' ? '/' : pointer,
    reason: reasonOf(error),
    message: `${where} ${problem(error)} (request body of ${operationId})`,
  };
}

function parameterIssue(
  operationId: string,
  location: 'path' | 'query',
  name: string,
  reason: RequestIssue['reason'],
  what: string,
): RequestIssue {
  return {
    operationId,
    in: location,
    parameter: name,
    reason,
    message: `${location} parameter ${JSON.stringify(name)} of ${operationId} ${what}`,
  };
}

const LOCATIONS = ['path', 'query'] as const;

/** A validator over schemas compiled elsewhere. */
export function operationValidator(schemas: OperationSchemas): OperationValidator {
  const { operationId, body, parameters } = schemas;
  // The parameters of each location, found once: a read checks its id on every call.
  const known = {
    path: parameters.filter((parameter) => parameter.in === 'path'),
    query: parameters.filter((parameter) => parameter.in === 'query'),
  };
  return {
    operationId,
    method: schemas.method,
    path: schemas.path,
    bodyRequired: schemas.bodyRequired,
    validateBody(value) {
      if (value === undefined)
        return schemas.bodyRequired
          ? [
              {
                operationId,
                in: 'body',
                pointer: '/',
                reason: 'missing',
                message: `a body is required (request body of ${operationId})`,
              },
            ]
          : [];
      if (!body || body(value)) return [];
      return (body.errors ?? []).map((error) => bodyIssue(operationId, error));
    },
    validateParameters(values) {
      const issues: RequestIssue[] = [];
      for (const location of LOCATIONS) {
        // The given values, each read once, in key order; undefined ones count as not given.
        const source = values[location] ?? {};
        const names: string[] = [];
        const given: unknown[] = [];
        for (const name of Object.keys(source)) {
          const value = (source as Record<string, unknown>)[name];
          if (value === undefined) continue;
          names.push(name);
          given.push(value);
        }
        const defined = known[location];
        for (const name of names) {
          let isKnown = false;
          for (const parameter of defined) if (parameter.name === name) isKnown = true;
          if (!isKnown)
            issues.push(parameterIssue(operationId, location, name, 'unknown', 'is not a known parameter'));
        }
        for (const parameter of defined) {
          const index = names.indexOf(parameter.name);
          if (index === -1) {
            if (parameter.required)
              issues.push(parameterIssue(operationId, location, parameter.name, 'missing', 'is required'));
            continue;
          }
          if (parameter.schema(given[index])) continue;
          for (const error of parameter.schema.errors ?? []) {
            const inner = pointerOf(error);
            const what = inner === '' ? problem(error) : `${inner} ${problem(error)}`;
            issues.push(parameterIssue(operationId, location, parameter.name, reasonOf(error), what));
          }
        }
      }
      return issues;
    },
  };
}
