/**
 * TypeScript types for the messages of a (pruned) protobufjs root: one interface per message and
 * one string-union per enum, in the shape gax and protobufjs use for plain objects (camelCase
 * fields, every field optional and nullable, enums by name or number, 64-bit integers as string,
 * number or Long).
 */
import protobuf from 'protobufjs';

export const SCALARS: Record<string, string> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'Int64',
  uint64: 'Int64',
  sint64: 'Int64',
  fixed64: 'Int64',
  sfixed64: 'Int64',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array | string',
};

/** `google.cloud.channel.v1.Entitlement.ProvisioningState` -> `Entitlement_ProvisioningState`. */
export function localName(object: protobuf.ReflectionObject): string {
  const parts: string[] = [];
  let current: protobuf.ReflectionObject | null = object;
  while (current && (current instanceof protobuf.Type || current instanceof protobuf.Enum)) {
    parts.unshift(current.name);
    current = current.parent;
  }
  return parts.join('_');
}

function comment(object: protobuf.ReflectionObject): string {
  return `/** \`${object.fullName.replace(/^\./, '')}\` */\n`;
}

export function emitTypes(root: protobuf.Root, keep: Set<string>): string {
  const names = new Map<string, string>();
  const objects: (protobuf.Type | protobuf.Enum)[] = [];
  for (const fullName of [...keep].sort()) {
    const object = root.lookup(fullName);
    if (!(object instanceof protobuf.Type || object instanceof protobuf.Enum)) continue;
    const name = localName(object);
    const clash = [...names.entries()].find(([, other]) => other === name);
    if (clash) throw new Error(`two kept types would both be called ${name}: ${clash[0]} and ${fullName}`);
    names.set(fullName, name);
    objects.push(object);
  }
  const typeOf = (field: protobuf.Field): string => {
    const resolved = field.resolvedType;
    let type = resolved
      ? (names.get(resolved.fullName.replace(/^\./, '')) ?? 'unknown')
      : (SCALARS[field.type] ?? 'unknown');
    if (resolved instanceof protobuf.Enum) type = `${type} | number`;
    if (field instanceof protobuf.MapField) return `{ [key: string]: ${type} }`;
    if (field.repeated) return type.includes('|') ? `(${type})[]` : `${type}[]`;
    return type;
  };
  const blocks = objects.map((object) => {
    const name = names.get(object.fullName.replace(/^\./, '')) as string;
    if (object instanceof protobuf.Enum) {
      const values = Object.entries(object.values).map(([value, number]) => `${value}: ${number}`);
      return [
        `${comment(object)}export type ${name} = ${Object.keys(object.values)
          .map((value) => `'${value}'`)
          .join(' | ')};`,
        `/** The values of \`${object.fullName.replace(/^\./, '')}\`: name to number. */`,
        `export const ${name} = { ${values.join(', ')} } as const satisfies Record<${name}, number>;`,
      ].join('\n');
    }
    const fields = object.fieldsArray.map((field) => {
      field.resolve();
      return `  ${field.name}?: ${typeOf(field)} | null;`;
    });
    return `${comment(object)}export interface ${name} {\n${fields.join('\n')}\n}`;
  });
  return [
    '/** A 64-bit integer as protobufjs hands it out: a decimal string, a number, or a Long. */',
    'export type Int64 = string | number | { low: number; high: number; unsigned: boolean };',
    ...blocks,
  ].join('\n\n');
}
