/**
 * The Cloud Channel protocol as the emulator knows it: the pruned protobufjs descriptor in
 * `generated/google/channel.json` (never a hand-written copy), the protobufjs root built from it,
 * and helpers to pack `google.protobuf.Any` values and to convert messages between their wire,
 * object and proto3 JSON forms.
 */

import { type JSONValue, toProto3JSON } from 'proto3-json-serializer';
import protobuf from 'protobufjs';
import descriptorJson from '../../../generated/google/channel.json' with { type: 'json' };
import {
  type Entitlement,
  type Int64,
  type Operation,
  TYPE_NAMES,
} from '../../../generated/google/channel.ts';

/** The descriptor as protobufjs reads it. */
export const CHANNEL_DESCRIPTOR = descriptorJson as protobuf.INamespace;

/** The protobufjs root of every type the emulator sends or receives. */
export const root: protobuf.Root = protobuf.Root.fromJSON(CHANNEL_DESCRIPTOR);
root.resolveAll();

/** The gRPC services the emulator registers (fully-qualified names). */
export const CHANNEL_SERVICE = TYPE_NAMES.CloudChannelService;
export const OPERATIONS_SERVICE = TYPE_NAMES.Operations;
export const SERVICE_NAMES = [CHANNEL_SERVICE, OPERATIONS_SERVICE] as const;

/** The methods the emulator implements. */
export type ChannelMethod = 'CreateEntitlement' | 'GetOperation' | 'CancelOperation' | 'GetEntitlement';

/** Fully-qualified `Service.Method` of each implemented method. */
export const METHOD_SERVICES: Readonly<Record<ChannelMethod, string>> = {
  CreateEntitlement: CHANNEL_SERVICE,
  GetEntitlement: CHANNEL_SERVICE,
  GetOperation: OPERATIONS_SERVICE,
  CancelOperation: OPERATIONS_SERVICE,
};

export const CHANNEL_METHODS = Object.keys(METHOD_SERVICES) as ChannelMethod[];

/** The service of `name`, or `undefined` when the descriptor does not define it. */
export function lookupService(name: string): protobuf.Service | undefined {
  const found = root.lookup(name);
  return found instanceof protobuf.Service ? found : undefined;
}

/** Whether the descriptor defines `method` (GetEntitlement was added to the pruned set later). */
export function hasMethod(method: ChannelMethod): boolean {
  return lookupService(METHOD_SERVICES[method])?.methods[method] !== undefined;
}

/**
 * How decoded messages are handed to the emulator's logic, over gRPC (by `@grpc/proto-loader`)
 * and REST alike: camelCase fields, enums as names, 64-bit integers as decimal strings, bytes as
 * `Uint8Array`, unset fields absent.
 */
export const OBJECT_OPTIONS = {
  longs: String,
  enums: String,
  defaults: false,
  oneofs: false,
} as const satisfies protobuf.IConversionOptions;

/** A `google.protobuf.Any` in object form, its value encoded. */
export interface AnyObject {
  type_url: string;
  value: Uint8Array;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Packs `value` (object form of `typeName`) into an Any. */
export function packAny(typeName: string, value: object): AnyObject {
  const type = root.lookupType(typeName);
  return { type_url: `${TYPE_URL_PREFIX}${typeName}`, value: type.encode(type.fromObject(value)).finish() };
}

/** Unpacks an Any whose type the descriptor knows into object form ({@link OBJECT_OPTIONS}). */
export function unpackAny(any: AnyObject): { typeName: string; value: Record<string, unknown> } {
  const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  const type = root.lookupType(typeName);
  return { typeName, value: type.toObject(type.decode(any.value), OBJECT_OPTIONS) };
}

/** Encodes an object-form message of `typeName` to protobuf bytes. */
export function encode(typeName: string, value: object): Uint8Array {
  const type = root.lookupType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

/**
 * Renders an object-form message of `typeName` as proto3 JSON: camelCase, enums by name (or by
 * number with `numericEnums`), Timestamps as RFC 3339, int64 as strings, Any as
 * `{"@type": "type.googleapis.com/<type>", ...fields}`, default values omitted.
 */
export function toJson(typeName: string, value: object, numericEnums = false): JSONValue {
  const type = root.lookupType(typeName);
  return typeFirst(toProto3JSON(type.fromObject(value), { numericEnums }));
}

/** Moves `@type` to the front of every object (the serializer appends it), as Google renders it. */
function typeFirst(json: JSONValue): JSONValue {
  if (Array.isArray(json)) return json.map(typeFirst);
  if (json === null || typeof json !== 'object') return json;
  const out: { [key: string]: JSONValue } = {};
  if ('@type' in json && json['@type'] !== undefined) out['@type'] = json['@type'];
  for (const [key, value] of Object.entries(json)) if (key !== '@type') out[key] = typeFirst(value);
  return out;
}

/** A `Date.now()`-style millisecond time as a `google.protobuf.Timestamp` object. */
export function timestamp(ms: number): { seconds: string; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Milliseconds as a `google.protobuf.Duration` object. */
export function duration(ms: number): { seconds: string; nanos: number } {
  return timestamp(Math.max(0, Math.ceil(ms)));
}

// ---------------------------------------------------------------------------------------------
// Proto3 JSON types derived from the generated message types.

type JsonMember<U> = U extends Uint8Array
  ? string
  : U extends string | number | boolean
    ? U
    : U extends readonly (infer E)[]
      ? JsonOf<E>[]
      : U extends object
        ? 'type_url' extends keyof U
          ? { '@type': string; [field: string]: unknown }
          : 'seconds' extends keyof U
            ? string
            : { [K in keyof U]?: JsonOf<U[K]> }
        : never;

/**
 * The proto3 JSON form of a field of generated type `T` (from `generated/google/channel.ts`):
 * int64 values, Timestamps, Durations and bytes become strings, Any becomes an object with
 * `@type`, nested messages recurse.
 */
export type JsonOf<T> = [T] extends [Int64 | null | undefined]
  ? [Int64] extends [T]
    ? string
    : JsonMember<NonNullable<T>>
  : JsonMember<NonNullable<T>>;

/** An entitlement in proto3 JSON, as `emu.entitlements()` and the REST transport render it. */
export type ChannelEntitlementJson = JsonOf<Entitlement>;
/** An operation in proto3 JSON, as the REST transport renders it. */
export type ChannelOperationJson = JsonOf<Operation>;
export type { JsonMember };
