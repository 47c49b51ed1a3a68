/** The pruned Channel descriptor as a protobufjs root, and decoding of `Any` payloads from it. */
import { protobuf } from 'google-gax';
import descriptor from '../../../generated/google/channel.json' with { type: 'json' };

export const channelDescriptor = descriptor as protobuf.INamespace;

let root: protobuf.Root | undefined;

export function channelRoot(): protobuf.Root {
  if (!root) {
    root = protobuf.Root.fromJSON(channelDescriptor);
    root.resolveAll();
  }
  return root;
}

const PLAIN: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  bytes: String,
  defaults: false,
  arrays: true,
};

const types = new Map<string, protobuf.Type>();

/** A type of the pruned descriptor, looked up once (throws when it has none of that name). */
function typeOf(typeName: string): protobuf.Type {
  let type = types.get(typeName);
  if (!type) {
    type = channelRoot().lookupType(typeName);
    types.set(typeName, type);
  }
  return type;
}

/** A protobufjs message (or a plain object already) as a plain object: enums by name, int64 as strings. */
export function toPlain<T>(typeName: string, value: unknown): T {
  const type = typeOf(typeName);
  const message =
    value instanceof protobuf.Message ? value : type.fromObject((value ?? {}) as Record<string, unknown>);
  return type.toObject(message, PLAIN) as T;
}

interface AnyLike {
  typeUrl?: string | null;
  type_url?: string | null;
  value?: Uint8Array | string | null;
}

/**
 * Unpacks a `google.protobuf.Any` into the plain form `toPlain` gives (enums by name, int64 as
 * strings); undefined when its type is not in the descriptor.
 */
export function unpackAny(any: unknown): { type: string; value: Record<string, unknown> } | undefined {
  if (typeof any !== 'object' || any === null) return undefined;
  const { typeUrl, type_url, value } = any as AnyLike;
  const url = typeUrl ?? type_url;
  if (!url) return undefined;
  const typeName = url.slice(url.lastIndexOf('/') + 1);
  let type: protobuf.Type;
  try {
    type = typeOf(typeName);
  } catch {
    return undefined;
  }
  const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : (value ?? new Uint8Array());
  return { type: typeName, value: type.toObject(type.decode(bytes), PLAIN) };
}
