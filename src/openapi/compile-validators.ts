/**
 * Compiles the request schemas of OpenAPI operations with ajv, against the whole document (every
 * `$ref`, in parameters or anywhere else, resolves). Two outputs from one configuration:
 * - {@link compileOperationSchemas}: validators compiled now, in this process (the emulator at
 *   start, tests on any document);
 * - {@link standaloneValidatorsModule}: the source of an ES module with the same validators as
 *   ajv standalone code, written to generated/ at generate time, so that importing the adapter
 *   compiles nothing.
 */
import { Ajv, type AnySchema } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import formats from 'ajv-formats';
import { isObject } from './json-pointer.ts';
import { type OperationSources, operationIdsOf, operationSources, writeView } from './operation-schemas.ts';
import {
  type CompiledSchema,
  type OperationSchemas,
  type OperationValidator,
  operationValidator,
} from './request-validator.ts';

// ajv-formats and ajv's standalone module are CommonJS with `exports.default`: under Node's ESM
// loader the function sits one level down.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (formats as unknown as { default?: FormatsPlugin }).default ?? (formats as unknown as FormatsPlugin);
type StandaloneCode = (ajv: Ajv, refs: Record<string, string>) => string;
const standaloneCode: StandaloneCode =
  (standalone as unknown as { default?: StandaloneCode }).default ??
  (standalone as unknown as StandaloneCode);

const DOCUMENT_ID = 'openapi';

export class SchemaCompileError extends Error {
  constructor(operationId: string, what: string, cause: unknown) {
    super(
      `cannot compile the schema of ${what} of ${operationId}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'SchemaCompileError';
  }
}

interface Entry {
  id: string;
  what: string;
}

interface Prepared {
  ajv: Ajv;
  operations: { sources: OperationSources; body?: Entry; parameters: Entry[] }[];
}

function prepare(document: unknown, operationIds: readonly string[] | undefined, source: boolean): Prepared {
  if (!isObject(document) || !isObject(document.paths)) throw new TypeError('not an OpenAPI document');
  const doc = writeView(document);
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: true,
    ...(source ? { code: { source: true, esm: true } } : {}),
  });
  addFormats(ajv);
  ajv.addSchema(doc as AnySchema, DOCUMENT_ID);
  const ids = operationIds ?? operationIdsOf(doc);
  const operations = ids.map((operationId) => {
    const sources = operationSources(doc, operationId);
    const add = (suffix: string, what: string, pointer: string): Entry => {
      const id = `${operationId}#${suffix}`;
      ajv.addSchema(pointer === '' ? {} : { $ref: `${DOCUMENT_ID}${pointer}` }, id);
      return { id, what };
    };
    const parameters = sources.parameters.map((parameter) =>
      add(
        `${parameter.in}/${parameter.name}`,
        `${parameter.in} parameter ${JSON.stringify(parameter.name)}`,
        parameter.schema,
      ),
    );
    return {
      sources,
      parameters,
      ...(sources.body === undefined ? {} : { body: add('body', 'the request body', sources.body) }),
    };
  });
  // Compile everything now, so a problem names its operation and parameter.
  for (const { sources, body, parameters } of operations) {
    for (const entry of body ? [body, ...parameters] : parameters) {
      try {
        ajv.getSchema(entry.id);
      } catch (error) {
        throw new SchemaCompileError(sources.operationId, entry.what, error);
      }
    }
  }
  return { ajv, operations };
}

/**
 * Compiles the request checks of the given operations (default: every operation of the document),
 * by operationId.
 */
export function compileOperationSchemas(
  document: unknown,
  operationIds?: readonly string[],
): Map<string, OperationSchemas> {
  const { ajv, operations } = prepare(document, operationIds, false);
  const compiled = (id: string) => ajv.getSchema(id) as unknown as CompiledSchema;
  return new Map(
    operations.map(({ sources, body, parameters }) => [
      sources.operationId,
      {
        operationId: sources.operationId,
        method: sources.method,
        path: sources.path,
        bodyRequired: sources.bodyRequired,
        body: body ? compiled(body.id) : undefined,
        parameters: sources.parameters.map((parameter, index) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required,
          schema: compiled((parameters[index] as Entry).id),
        })),
      },
    ]),
  );
}

/** A validator for one operation, compiled now. */
export function createOperationValidator(document: unknown, operationId: string): OperationValidator {
  const schemas = compileOperationSchemas(document, [operationId]).get(operationId);
  if (!schemas) throw new TypeError(`the OpenAPI document has no operation "${operationId}"`);
  return operationValidator(schemas);
}

/**
 * The source of an ES module (TypeScript, unchecked) exporting `operationSchemas`: for each
 * operation, its {@link OperationSchemas} with the checks as ajv standalone functions. The module
 * imports only ajv's small runtime helpers (string length, formats), never ajv itself.
 */
export function standaloneValidatorsModule(document: unknown, operationIds: readonly string[]): string {
  const { ajv, operations } = prepare(document, operationIds, true);
  const refs: Record<string, string> = {};
  let next = 0;
  const exportName = (entry: Entry): string => {
    const name = `check${next++}`;
    refs[name] = entry.id;
    return name;
  };
  const table = operations.map(({ sources, body, parameters }) => {
    const fields = [
      `operationId: ${JSON.stringify(sources.operationId)}`,
      `method: ${JSON.stringify(sources.method)}`,
      `path: ${JSON.stringify(sources.path)}`,
      `bodyRequired: ${sources.bodyRequired}`,
      ...(body ? [`body: ${exportName(body)}`] : []),
      `parameters: [${sources.parameters
        .map(
          (parameter, index) =>
            `{ name: ${JSON.stringify(parameter.name)}, in: ${JSON.stringify(parameter.in)}, required: ${parameter.required}, schema: ${exportName(parameters[index] as Entry)} }`,
        )
        .join(', ')}]`,
    ];
    return `  ${JSON.stringify(sources.operationId)}: { ${fields.join(', ')} },`;
  });
  const code = esmImports(standaloneCode(ajv, refs));
  const ids = operations.map(({ sources }) => JSON.stringify(sources.operationId)).join(' | ') || 'never';
  return [
    '// @ts-nocheck: ajv standalone code (plain JavaScript); the exported table below is typed.',
    code,
    '',
    'type Check = ((data: unknown) => boolean) & {',
    '  errors?: { keyword: string; instancePath: string; params: Record<string, unknown>; message?: string }[] | null;',
    '};',
    'type Parameter = { readonly name: string; readonly in: "path" | "query"; readonly required: boolean; readonly schema: Check };',
    'type Operation = {',
    '  readonly operationId: string;',
    '  readonly method: string;',
    '  readonly path: string;',
    '  readonly bodyRequired: boolean;',
    '  readonly body?: Check;',
    '  readonly parameters: readonly Parameter[];',
    '};',
    '',
    '/** The request checks of each operation, compiled at generate time. */',
    `export const operationSchemas: { readonly [operationId in ${ids}]: Operation } = {`,
    ...table,
    '};',
    '',
  ].join('\n');
}

/**
 * ajv's standalone code loads its runtime helpers with `require("m").name` even in ESM mode; an ES
 * module has no `require`. Each `require("m")` becomes the namespace of `m.js`, through
 * `commonjs()`: under Node's loader the module's `exports` object is the namespace's `default`;
 * under loaders that apply `__esModule` interop (vitest, bundlers) the namespace itself carries the
 * exported names. Either way `commonjs(namespace).name` is what `require("m").name` gives.
 */
function esmImports(code: string): string {
  const modules = new Map<string, string>();
  const body = code
    .replace(/^"use strict";/, '')
    .replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
      let name = modules.get(specifier);
      if (name === undefined) {
        name = `runtime${modules.size}`;
        modules.set(specifier, name);
      }
      return name;
    });
  const lines: string[] = [];
  for (const [specifier, name] of modules) {
    const file = specifier.endsWith('.js') ? specifier : `${specifier}.js`;
    lines.push(`import * as ${name}Module from ${JSON.stringify(file)};`);
  }
  for (const name of modules.values()) lines.push(`const ${name} = commonjs(${name}Module);`);
  if (modules.size > 0)
    lines.push(
      'function commonjs(namespace) { return namespace.default?.__esModule ? namespace.default : namespace; }',
    );
  return [...lines, body].join('\n');
}
