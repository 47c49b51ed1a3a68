/**
 * Prunes a protobufjs root to the kept methods and every type they reach (request, response,
 * operation_info types, fields, map values, nested enums), and returns its JSON descriptor.
 */
import protobuf from 'protobufjs';

type Json = { [key: string]: unknown };

export interface PruneSpec {
  methods: Record<string, readonly string[]>;
  extraTypes: readonly string[];
}

const strip = (name: string) => name.replace(/^\./, '');

export function reachableTypes(root: protobuf.Root, spec: PruneSpec): Set<string> {
  const keep = new Set<string>();
  const queue: protobuf.ReflectionObject[] = [];
  const add = (object: protobuf.ReflectionObject | null | undefined) => {
    if (!object) return;
    const name = strip(object.fullName);
    if (keep.has(name)) return;
    keep.add(name);
    queue.push(object);
    // A nested type lives inside its enclosing message: pruneJson drops an unkept message whole.
    if (object.parent instanceof protobuf.Type) add(object.parent);
  };
  for (const [serviceName, methods] of Object.entries(spec.methods)) {
    const service = root.lookupService(serviceName);
    const unknown = methods.filter((name) => name !== '*' && !(name in service.methods));
    if (unknown.length > 0) {
      throw new Error(`${serviceName} has no method ${unknown.join(', ')}: check scripts/google/config.ts`);
    }
    for (const method of Object.values(service.methods)) {
      if (!methods.includes('*') && !methods.includes(method.name)) continue;
      method.resolve();
      add(method.resolvedRequestType);
      add(method.resolvedResponseType);
      const info = (method.options ?? {}) as Json;
      for (const key of [
        '(google.longrunning.operation_info).response_type',
        '(google.longrunning.operation_info).metadata_type',
      ]) {
        const typeName = info[key];
        if (typeof typeName === 'string')
          add(
            root.lookupType(
              typeName.includes('.') ? typeName : `${strip(service.parent?.fullName ?? '')}.${typeName}`,
            ),
          );
      }
    }
  }
  for (const name of spec.extraTypes) {
    const object = root.lookup(name);
    if (!(object instanceof protobuf.Type || object instanceof protobuf.Enum))
      throw new Error(
        `extra type ${name} is not a message or an enum of the protos: check scripts/google/config.ts`,
      );
    add(object);
  }
  while (queue.length > 0) {
    const object = queue.pop();
    if (!(object instanceof protobuf.Type)) continue;
    for (const field of object.fieldsArray) {
      field.resolve();
      add(field.resolvedType);
    }
  }
  return keep;
}

/** The JSON descriptor of `root` restricted to `keep` (and the kept methods of each service). */
export function pruneJson(
  root: protobuf.Root,
  keep: Set<string>,
  methods: Record<string, readonly string[]>,
): Json {
  const visit = (node: Json, prefix: string): Json | undefined => {
    const nested = node.nested as Record<string, Json> | undefined;
    const keptNested: Record<string, Json> = {};
    for (const [name, child] of Object.entries(nested ?? {})) {
      const fullName = prefix ? `${prefix}.${name}` : name;
      let pruned: Json | undefined;
      if ('methods' in child) {
        const wanted = methods[fullName];
        if (wanted) {
          const kept = Object.fromEntries(
            Object.entries(child.methods as Json).filter(
              ([method]) => wanted.includes('*') || wanted.includes(method),
            ),
          );
          pruned = { ...child, methods: kept };
        }
      } else if (keep.has(fullName)) {
        const inner = visit(child, fullName);
        pruned = { ...child };
        if (inner?.nested) pruned.nested = inner.nested;
        else delete pruned.nested;
      } else if (!('fields' in child) && !('values' in child)) {
        pruned = visit(child, fullName);
      }
      if (pruned) keptNested[name] = pruned;
    }
    if (Object.keys(keptNested).length === 0) return keep.has(prefix) ? {} : undefined;
    return { nested: keptNested };
  };
  return visit(root.toJSON() as Json, '') ?? {};
}
