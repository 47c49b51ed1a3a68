/**
 * The shape of a schema as one side of the API sees it: `$ref`s followed, `allOf` merged, and the
 * fields of the other side left out (a request never carries `readOnly` fields, a response never
 * carries `writeOnly` ones). Code generation emits these shapes for the operations the library
 * uses (so nothing parses the spec at import), compares them between editions of the spec, and
 * the emulator derives what it stores from them.
 */
import { isObject, type JsonObject, resolveLocalRef } from './json-pointer.ts';
import { locate, operationSources } from './operation-schemas.ts';

export type JsonPrimitive = string | number | boolean | null;

export interface FieldShape {
  /** JSON type(s), `|`-separated when several (`integer`, `string`, `object`...). */
  readonly type?: string;
  readonly nullable?: boolean;
  readonly readOnly?: boolean;
  readonly writeOnly?: boolean;
  readonly format?: string;
  /** The allowed values; with `open`, the values known today (more may come). */
  readonly enum?: readonly JsonPrimitive[];
  /** `x-extensible-enum`: any value may come, `enum` lists the known ones. */
  readonly open?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean | number;
  readonly exclusiveMaximum?: boolean | number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  /** The names an object must have. */
  readonly required?: readonly string[];
  readonly properties?: { readonly [name: string]: FieldShape };
  /** `false`: no other member allowed; a shape: what other members look like. */
  readonly additionalProperties?: boolean | FieldShape;
  readonly items?: FieldShape;
  /** Alternatives (`anyOf` / `oneOf`) other than null. */
  readonly anyOf?: readonly FieldShape[];
  /** The component a recursive reference points back to (its shape is not repeated). */
  readonly recursive?: string;
}

/** Which side of the API looks at the schema. */
export type View = 'request' | 'response';

type Mutable = { -readonly [K in keyof FieldShape]: FieldShape[K] };

const LIMITS = [
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
] as const;

function isNullOnly(schema: unknown): boolean {
  return (
    isObject(schema) &&
    Array.isArray(schema.enum) &&
    schema.enum.length === 1 &&
    schema.enum[0] === null &&
    schema.properties === undefined
  );
}

/** Property names a shape left out because its side never sees them (they are not required there either). */
const hiddenNames = new WeakMap<FieldShape, Set<string>>();

function hide(shape: FieldShape, names: Iterable<string>): void {
  const set = hiddenNames.get(shape) ?? new Set<string>();
  for (const name of names) set.add(name);
  hiddenNames.set(shape, set);
}

/** Merges `from` into `into` (allOf: both apply, so the stricter limit and every required name win). */
function merge(into: Mutable, from: FieldShape): void {
  if (from.type !== undefined) into.type ??= from.type;
  for (const flag of ['nullable', 'readOnly', 'writeOnly', 'open', 'uniqueItems'] as const)
    if (from[flag] !== undefined) into[flag] ??= from[flag];
  if (from.format !== undefined) into.format ??= from.format;
  if (from.pattern !== undefined) into.pattern ??= from.pattern;
  if (from.enum !== undefined) into.enum ??= from.enum;
  for (const limit of LIMITS) {
    const value = from[limit];
    if (value === undefined) continue;
    const current = into[limit];
    if (current === undefined || typeof value !== 'number' || typeof current !== 'number') {
      (into as Record<string, unknown>)[limit] = current ?? value;
      continue;
    }
    const stricter = limit.startsWith('min') || limit.startsWith('exclusiveMin') ? Math.max : Math.min;
    (into as Record<string, unknown>)[limit] = stricter(current, value);
  }
  if (from.required !== undefined) into.required = [...new Set([...(into.required ?? []), ...from.required])];
  if (from.properties !== undefined) into.properties = { ...from.properties, ...into.properties };
  if (from.additionalProperties !== undefined) into.additionalProperties ??= from.additionalProperties;
  if (from.items !== undefined) into.items ??= from.items;
  if (from.anyOf !== undefined) into.anyOf ??= from.anyOf;
  if (from.recursive !== undefined) into.recursive ??= from.recursive;
  hide(into, hiddenNames.get(from) ?? []);
}

function shapeOf(doc: JsonObject, schema: unknown, view: View, active: readonly string[]): FieldShape {
  if (!isObject(schema)) return {};
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (active.includes(ref)) return { recursive: ref.replace(/^#\/components\/schemas\//, '') };
    const { $ref: _ref, ...siblings } = schema;
    const target = shapeOf(doc, resolveLocalRef(doc, ref), view, [...active, ref]);
    const shape: Mutable = { ...target };
    hide(shape, hiddenNames.get(target) ?? []);
    if (Object.keys(siblings).length > 0) merge(shape, shapeOf(doc, siblings, view, active));
    return shape;
  }
  const shape: Mutable = {};
  if (typeof schema.type === 'string') shape.type = schema.type;
  else if (Array.isArray(schema.type)) shape.type = schema.type.map(String).join('|');
  for (const flag of ['nullable', 'readOnly', 'writeOnly', 'uniqueItems'] as const)
    if (typeof schema[flag] === 'boolean') shape[flag] = schema[flag] as boolean;
  if (typeof schema.format === 'string') shape.format = schema.format;
  if (typeof schema.pattern === 'string') shape.pattern = schema.pattern;
  for (const limit of LIMITS) {
    const value = schema[limit];
    if (typeof value === 'number' || typeof value === 'boolean')
      (shape as Record<string, unknown>)[limit] = value;
  }
  const extensible = schema['x-extensible-enum'];
  if (Array.isArray(schema.enum)) shape.enum = schema.enum as JsonPrimitive[];
  else if (Array.isArray(extensible)) {
    shape.enum = extensible as JsonPrimitive[];
    shape.open = true;
  }
  // Properties without a type describe an object (the vendor writes some object schemas that way).
  if (shape.type === undefined && isObject(schema.properties)) shape.type = 'object';
  if (isObject(schema.properties)) {
    const properties: Record<string, FieldShape> = {};
    for (const [name, property] of Object.entries(schema.properties)) {
      const child = shapeOf(doc, property, view, active);
      if (
        (view === 'request' && child.readOnly === true) ||
        (view === 'response' && child.writeOnly === true)
      ) {
        hide(shape, [name]);
        continue;
      }
      properties[name] = child;
    }
    shape.properties = properties;
  }
  if (Array.isArray(schema.required)) shape.required = schema.required.map(String);
  if (typeof schema.additionalProperties === 'boolean')
    shape.additionalProperties = schema.additionalProperties;
  else if (isObject(schema.additionalProperties))
    shape.additionalProperties = shapeOf(doc, schema.additionalProperties, view, active);
  if (schema.items !== undefined) shape.items = shapeOf(doc, schema.items, view, active);
  if (Array.isArray(schema.allOf))
    for (const member of schema.allOf) merge(shape, shapeOf(doc, member, view, active));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alternatives = schema[key];
    if (!Array.isArray(alternatives)) continue;
    const others = alternatives.filter((alternative) => !isNullOnly(alternative));
    if (others.length < alternatives.length) shape.nullable = true;
    const shapes = others.map((alternative) => shapeOf(doc, alternative, view, active));
    if (shapes.length === 1) merge(shape, shapes[0] as FieldShape);
    else if (shapes.length > 1) shape.anyOf = shapes;
  }
  const hidden = hiddenNames.get(shape);
  // A name whose property this side never sees is not required on this side.
  if (shape.required !== undefined && hidden !== undefined)
    shape.required = shape.required.filter((name) => !hidden.has(name));
  return shape;
}

/** The shape of `schema` (anywhere in `doc`) as `view` sees it. */
export function schemaShape(doc: JsonObject, schema: unknown, view: View): FieldShape {
  return shapeOf(doc, schema, view, []);
}

export interface ParameterShape {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: FieldShape;
}

/** What an operation takes and gives, each side in its own view. */
export interface OperationShape {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly ParameterShape[];
  /** The JSON request body, when the operation takes one. */
  readonly requestBody?: { readonly required: boolean; readonly schema: FieldShape };
  /** The JSON body of each documented response, by status (`201`, `404`, `default`). */
  readonly responses: { readonly [status: string]: FieldShape };
}

/** The shapes of one operation's parameters, request body and response bodies. */
export function operationShape(doc: JsonObject, operationId: string): OperationShape {
  const sources = operationSources(doc, operationId);
  const at = (pointer: string) => resolveLocalRef(doc, pointer);
  const parameters = sources.parameters.map((parameter) => ({
    name: parameter.name,
    in: parameter.in,
    required: parameter.required,
    schema: parameter.schema === '' ? {} : schemaShape(doc, at(parameter.schema), 'request'),
  }));
  const responses: Record<string, FieldShape> = {};
  const operation = at(sources.pointer);
  const documented = isObject(operation) && isObject(operation.responses) ? operation.responses : {};
  for (const [status, entry] of Object.entries(documented)) {
    const response = locate(doc, entry, '');
    const content = response && isObject(response.node.content) ? response.node.content : {};
    const media = content['application/json'];
    if (isObject(media) && media.schema !== undefined)
      responses[status] = schemaShape(doc, media.schema, 'response');
  }
  return {
    operationId,
    method: sources.method,
    path: sources.path,
    parameters,
    ...(sources.body === undefined
      ? {}
      : {
          requestBody: {
            required: sources.bodyRequired,
            schema: schemaShape(doc, at(sources.body), 'request'),
          },
        }),
    responses,
  };
}
