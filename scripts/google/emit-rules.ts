/**
 * Values (not only types) read off the protos, so that the library and its emulator spell none of
 * them by hand:
 * - the full name of every kept message, enum and service (`TYPE_NAMES`);
 * - for an enum whose values document their HTTP mapping (`google.rpc.Code`), that mapping;
 * - the `google.api.http` rules of every kept method, per service, in the form of
 *   `google.api.HttpRule` (what google-gax's `httpRules` option takes), and the HTTP methods a rule
 *   may name (HttpRule's `pattern` oneof);
 * - the field rules of every message a kept method's request reaches: scalar or enum or message
 *   type, repeated, map, oneof, and what `google.api.field_behavior` and `google.api.resource_reference`
 *   say (output-only, required, the referenced resource's name patterns, looked up in the full
 *   protos), plus the settable fields (those not OUTPUT_ONLY);
 * - for each of those messages, an `<Name>_Input` interface: what a request may carry (settable
 *   fields only, REQUIRED ones required, 64-bit integers also as bigint).
 */
import protobuf from 'protobufjs';
import { localName, SCALARS } from './emit-types.ts';

const strip = (name: string) => name.replace(/^\./, '');

/** The options of a reflection object, every occurrence kept (protobufjs' `options` keeps the last). */
function optionValues(object: protobuf.ReflectionObject, name: string): unknown[] {
  const parsed = (object.parsedOptions ?? []) as Record<string, unknown>[];
  const values = parsed.filter((option) => name in option).map((option) => option[name]);
  if (values.length > 0) return values;
  const single = object.options?.[name];
  return single === undefined ? [] : [single];
}

export interface HttpRuleJson {
  selector: string;
  [pattern: string]: unknown;
}

/** The `google.api.http` rules of the kept methods of `service`, as `google.api.HttpRule` objects. */
export function httpRules(service: protobuf.Service): HttpRuleJson[] {
  const rules: HttpRuleJson[] = [];
  for (const method of service.methodsArray) {
    for (const value of optionValues(method, '(google.api.http)')) {
      if (typeof value === 'object' && value !== null)
        rules.push({ selector: strip(method.fullName), ...(value as Record<string, unknown>) });
    }
  }
  return rules;
}

/** `HTTP Mapping: 404 Not Found` in an enum value's comment (google/rpc/code.proto). */
const HTTP_MAPPING = /HTTP Mapping:\s*(\d{3})\b/;

/** The HTTP status each value of `enumType` documents, or undefined when not every value does. */
export function httpMapping(enumType: protobuf.Enum): Record<string, number> | undefined {
  const mapping: Record<string, number> = {};
  for (const name of Object.keys(enumType.values)) {
    const match = HTTP_MAPPING.exec(enumType.comments?.[name] ?? '');
    if (!match) return undefined;
    mapping[name] = Number(match[1]);
  }
  return mapping;
}

export interface FieldRuleJson {
  type: string;
  typeName?: string;
  repeated?: true;
  mapKey?: string;
  oneof?: string;
  outputOnly?: true;
  required?: true;
  patterns?: string[];
}

export interface MessageRuleJson {
  fields: Record<string, FieldRuleJson>;
  oneofs: Record<string, string[]>;
  settable: string[];
}

/** The name patterns of every `google.api.resource` of the full protos, by resource type. */
function resourcePatterns(full: protobuf.Root): Map<string, string[]> {
  const patterns = new Map<string, string[]>();
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const child of namespace.nestedArray) {
      if (child instanceof protobuf.Type) {
        for (const value of optionValues(child, '(google.api.resource)')) {
          const resource = value as { type?: string; pattern?: string | string[] };
          if (typeof resource.type !== 'string') continue;
          const list = Array.isArray(resource.pattern) ? resource.pattern : [resource.pattern];
          patterns.set(
            resource.type,
            list.filter((p): p is string => typeof p === 'string'),
          );
        }
        // Older protobufjs flattens the option to dotted keys.
        const type = child.options?.['(google.api.resource).type'];
        const pattern = child.options?.['(google.api.resource).pattern'];
        if (typeof type === 'string' && typeof pattern === 'string' && !patterns.has(type))
          patterns.set(type, [pattern]);
      }
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) visit(child);
    }
  };
  visit(full);
  return patterns;
}

/** Every message reachable through fields from the request types of the kept methods. */
export function requestMessages(
  full: protobuf.Root,
  services: readonly protobuf.Service[],
): Record<string, MessageRuleJson> {
  const patterns = resourcePatterns(full);
  const queue: protobuf.Type[] = [];
  const seen = new Set<string>();
  const add = (type: protobuf.Type | null) => {
    if (!type || seen.has(type.fullName)) return;
    seen.add(type.fullName);
    queue.push(type);
  };
  for (const service of services)
    for (const method of service.methodsArray) {
      method.resolve();
      add(method.resolvedRequestType);
    }
  const rules: Record<string, MessageRuleJson> = {};
  while (queue.length > 0) {
    const type = queue.shift() as protobuf.Type;
    // The full protos hold the field options the pruned descriptor flattened (every field_behavior).
    const source = full.lookupType(strip(type.fullName));
    const fields: Record<string, FieldRuleJson> = {};
    for (const field of type.fieldsArray) {
      field.resolve();
      const original = source.fields[field.name] ?? field;
      const behaviors = optionValues(original, '(google.api.field_behavior)').flat();
      const resolved = field.resolvedType;
      const rule: FieldRuleJson = {
        type:
          resolved instanceof protobuf.Enum
            ? 'enum'
            : resolved instanceof protobuf.Type
              ? 'message'
              : field.type,
      };
      if (resolved) rule.typeName = strip(resolved.fullName);
      if (field.repeated) rule.repeated = true;
      if (field instanceof protobuf.MapField) rule.mapKey = field.keyType;
      if (field.partOf) rule.oneof = field.partOf.name;
      if (behaviors.includes('OUTPUT_ONLY')) rule.outputOnly = true;
      if (behaviors.includes('REQUIRED')) rule.required = true;
      const reference = optionValues(original, '(google.api.resource_reference)')[0] as
        | { type?: string }
        | undefined;
      const referenced = reference?.type ?? original.options?.['(google.api.resource_reference).type'];
      if (typeof referenced === 'string' && patterns.has(referenced))
        rule.patterns = patterns.get(referenced) as string[];
      fields[field.name] = rule;
      if (resolved instanceof protobuf.Type) add(resolved);
    }
    const oneofs: Record<string, string[]> = {};
    for (const oneof of type.oneofsArray) oneofs[oneof.name] = oneof.fieldsArray.map((field) => field.name);
    rules[strip(type.fullName)] = {
      fields,
      oneofs,
      settable: Object.entries(fields)
        .filter(([, rule]) => !rule.outputOnly)
        .map(([name]) => name),
    };
  }
  return rules;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The `<Name>_Input` interfaces of the request messages (see the file comment). */
export function emitInputTypes(
  messages: Record<string, MessageRuleJson>,
  localNames: ReadonlyMap<string, string>,
): string {
  const local = (fullName: string | undefined) => {
    const name = fullName === undefined ? undefined : localNames.get(fullName);
    if (name === undefined) throw new Error(`no local name for ${fullName}`);
    return name;
  };
  const blocks: string[] = [];
  for (const [fullName, rule] of Object.entries(messages)) {
    const lines = rule.settable.map((name) => {
      const field = rule.fields[name] as FieldRuleJson;
      let type =
        field.type === 'message'
          ? `${local(field.typeName)}_Input`
          : field.type === 'enum'
            ? `${local(field.typeName)} | number`
            : (SCALARS[field.type] ?? 'unknown');
      if (type === 'Int64') type = 'Int64 | bigint';
      if (field.mapKey !== undefined) type = `{ [key: string]: ${type} }`;
      else if (field.repeated) type = type.includes('|') ? `(${type})[]` : `${type}[]`;
      return field.required ? `  ${name}: ${type};` : `  ${name}?: ${type} | null;`;
    });
    blocks.push(
      `/** \`${fullName}\` as a request carries it: settable fields only, REQUIRED ones required, 64-bit integers also as bigint. */\nexport interface ${local(fullName)}_Input {\n${lines.join('\n')}\n}`,
    );
  }
  return blocks.join('\n\n');
}

/** The TypeScript text of the values above. */
export function emitRules(pruned: protobuf.Root, full: protobuf.Root, keep: Set<string>): string {
  const blocks: string[] = [];
  const typeNames: Record<string, string> = {};
  const localNames = new Map<string, string>();
  const services: protobuf.Service[] = [];
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const child of namespace.nestedArray) {
      if (child instanceof protobuf.Service) services.push(child);
      if (child instanceof protobuf.Type || child instanceof protobuf.Enum) {
        localNames.set(strip(child.fullName), localName(child));
        if (keep.has(strip(child.fullName))) typeNames[localName(child)] = strip(child.fullName);
      }
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) visit(child);
    }
  };
  visit(pruned);
  for (const service of services) typeNames[service.name] = strip(service.fullName);
  const sortedNames = Object.fromEntries(Object.entries(typeNames).sort(([a], [b]) => a.localeCompare(b)));
  blocks.push(
    `/** The full name of every kept message, enum and service, by its local name in this file. */\nexport const TYPE_NAMES = ${json(sortedNames)} as const;`,
  );

  for (const name of [...keep].sort()) {
    const object = pruned.lookup(name);
    if (!(object instanceof protobuf.Enum)) continue;
    const source = full.lookupEnum(name);
    const mapping = httpMapping(source);
    if (mapping)
      blocks.push(
        `/** The HTTP status of each \`${name}\` value, as its comments in the protos document ("HTTP Mapping"). */\nexport const ${localName(object)}_HTTP_STATUS = ${json(mapping)} as const satisfies Record<${localName(object)}, number>;`,
      );
  }

  // google.api.HttpRule's `pattern` oneof: the HTTP methods a rule may name (its string members).
  const httpRule = full.lookup('google.api.HttpRule');
  const patterns = (httpRule instanceof protobuf.Type ? (httpRule.oneofs.pattern?.fieldsArray ?? []) : [])
    .filter((field) => field.type === 'string')
    .map((field) => field.name);
  blocks.push(
    `/** The HTTP methods a \`google.api.HttpRule\` names, its \`pattern\` oneof's string fields. */\nexport const HttpRule_PATTERNS = ${json(patterns)} as const;`,
  );
  for (const service of services) {
    blocks.push(
      `/** The \`google.api.http\` rules of the kept methods of \`${strip(service.fullName)}\` (\`google.api.HttpRule\` objects). */\nexport const ${service.name}_HTTP_RULES = ${json(httpRules(service))} as const;`,
    );
  }

  blocks.push(`/** A field of a request message, as the request checker reads it. */
export interface FieldRule {
  /** The protobuf scalar type, or \`enum\` / \`message\`. */
  readonly type: string;
  /** The enum or message type, for \`enum\` and \`message\` fields. */
  readonly typeName?: string;
  readonly repeated?: boolean;
  /** For a map field: the key's scalar type. */
  readonly mapKey?: string;
  /** The oneof the field belongs to. */
  readonly oneof?: string;
  /** \`google.api.field_behavior\` OUTPUT_ONLY: set by the server, never sent. */
  readonly outputOnly?: boolean;
  /** \`google.api.field_behavior\` REQUIRED. */
  readonly required?: boolean;
  /** The name patterns of the resource the field refers to (\`google.api.resource_reference\`). */
  readonly patterns?: readonly string[];
}

/** A request message: its fields, its oneofs, and the fields a caller may set (not OUTPUT_ONLY). */
export interface MessageRule {
  readonly fields: { readonly [field: string]: FieldRule };
  readonly oneofs: { readonly [oneof: string]: readonly string[] };
  readonly settable: readonly string[];
}`);
  const messages = requestMessages(full, services);
  blocks.push(
    `/** Every message the request of a kept method reaches, by full name. */\nexport const REQUEST_MESSAGES = ${json(messages)} as const satisfies { readonly [type: string]: MessageRule };`,
  );
  blocks.push(emitInputTypes(messages, localNames));
  return blocks.join('\n\n');
}
