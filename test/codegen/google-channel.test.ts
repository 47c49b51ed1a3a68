import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { channelCodegen } from '../../scripts/google/config.ts';
import { emitRules, httpMapping, httpRules, requestMessages } from '../../scripts/google/emit-rules.ts';
import { emitTypes } from '../../scripts/google/emit-types.ts';
import { generateChannel, loadProtos } from '../../scripts/google/pipeline.ts';
import { type PruneSpec, pruneJson, reachableTypes } from '../../scripts/google/prune.ts';
import type { JsonObject } from '../../scripts/lib/json.ts';
import { copyOfRepo, generate } from './repo-copy.ts';

const TIMEOUT = 30_000;

const tmpDirs: string[] = [];
async function tmpDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Tiny inline protos
// ---------------------------------------------------------------------------------------------

/**
 * demo.v1.Things has three methods; CreateThing is long-running and names its response type by a
 * short name (in demo.v1) and its metadata type fully qualified (in other.v1). Types are reached
 * through request/response, fields, a nested enum, map values and repeated fields, or not at all.
 */
const DEMO_PROTO = `
syntax = "proto3";
package demo.v1;

service Things {
  rpc CreateThing(CreateThingRequest) returns (other.v1.Operation) {
    option (google.api.http) = { post: "/v1/{parent=projects/*}/things" body: "thing" };
    option (google.longrunning.operation_info) = {
      response_type: "CreateThingResult"
      metadata_type: "other.v1.CreateThingMetadata"
    };
  }
  rpc GetThing(GetThingRequest) returns (Thing) {
    option (google.api.http) = { get: "/v1/{name=projects/*/things/*}" };
  }
  rpc DeleteThing(DeleteThingRequest) returns (other.v1.Empty) {
    option (google.api.http) = { delete: "/v1/{name=projects/*/things/*}" };
  }
}

service Pinger {
  rpc Ping(PingRequest) returns (other.v1.Empty);
}

message CreateThingRequest {
  string parent = 1;
  Thing thing = 2;
}
message GetThingRequest { string name = 1; }
message DeleteThingRequest {
  string name = 1;
  DeleteReason reason = 2;
}
message DeleteReason { string text = 1; }
message PingRequest {}

message Thing {
  enum State {
    STATE_UNSPECIFIED = 0;
    ACTIVE = 1;
  }
  message NeverUsed { string x = 1; }
  string name = 1;
  State state = 2;
  map<string, Label> labels = 3;
  repeated Part parts = 4;
}
message Label { string value = 1; }
message Part { Size size = 1; }
message Size { int64 bytes = 1; }

message CreateThingResult { Receipt receipt = 1; }
message Receipt { string id = 1; }

message Orphan { Thing thing = 1; }
enum OrphanEnum { ORPHAN_ENUM_UNSPECIFIED = 0; }
`;

const OTHER_PROTO = `
syntax = "proto3";
package other.v1;

message Operation {
  string name = 1;
  bool done = 2;
}
message CreateThingMetadata { Progress progress = 1; }
message Progress { int32 percent = 1; }
message Empty {}
message Detail { DetailKind kind = 1; }
enum DetailKind { DETAIL_KIND_UNSPECIFIED = 0; }
message Unrelated { string s = 1; }
`;

/**
 * A package where nothing is reachable: pruning must drop its namespaces altogether. Its
 * CreateThingResult is what a lookup of the bare operation_info name from the root would find
 * (protobufjs searches nested namespaces in order, first match wins: lonely.v1 is parsed first),
 * instead of demo.v1's.
 */
const LONELY_PROTO = `
syntax = "proto3";
package lonely.v1;
message Alone { string s = 1; }
message CreateThingResult { string decoy = 1; }
`;

function demoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const source of [LONELY_PROTO, DEMO_PROTO, OTHER_PROTO]) protobuf.parse(source, root);
  root.resolveAll();
  return root;
}

const SPEC: PruneSpec = {
  methods: { 'demo.v1.Things': ['CreateThing', 'GetThing'] },
  extraTypes: ['other.v1.Detail'],
};
const ALL_METHODS: PruneSpec = { methods: { 'demo.v1.Things': ['*'] }, extraTypes: [] };

/** Every message and enum of a root, by full name without the leading dot. */
function allTypes(root: protobuf.NamespaceBase): string[] {
  const found: string[] = [];
  for (const child of root.nestedArray) {
    if (child instanceof protobuf.Type || child instanceof protobuf.Enum)
      found.push(child.fullName.replace(/^\./, ''));
    if (child instanceof protobuf.Namespace) found.push(...allTypes(child));
  }
  return found.sort();
}

function allMessages(root: protobuf.NamespaceBase): protobuf.Type[] {
  const found: protobuf.Type[] = [];
  for (const child of root.nestedArray) {
    if (child instanceof protobuf.Type) found.push(child);
    if (child instanceof protobuf.Namespace) found.push(...allMessages(child));
  }
  return found;
}

describe('reachableTypes', () => {
  it('keeps exactly what the kept methods, their operation_info and extraTypes reach', () => {
    expect([...reachableTypes(demoRoot(), SPEC)].sort()).toEqual([
      'demo.v1.CreateThingRequest',
      'demo.v1.CreateThingResult',
      'demo.v1.GetThingRequest',
      'demo.v1.Label',
      'demo.v1.Part',
      'demo.v1.Receipt',
      'demo.v1.Size',
      'demo.v1.Thing',
      'demo.v1.Thing.State',
      'other.v1.CreateThingMetadata',
      'other.v1.Detail',
      'other.v1.DetailKind',
      'other.v1.Operation',
      'other.v1.Progress',
    ]);
  });

  it('keeps request and response types of a kept method', () => {
    const keep = reachableTypes(demoRoot(), {
      methods: { 'demo.v1.Things': ['GetThing'] },
      extraTypes: [],
    });
    expect(keep).toContain('demo.v1.GetThingRequest');
    expect(keep).toContain('demo.v1.Thing');
    expect(keep).not.toContain('demo.v1.CreateThingRequest');
    expect(keep).not.toContain('other.v1.Operation');
  });

  it('follows fields: nested enums, map values and the element type of repeated fields, transitively', () => {
    const keep = reachableTypes(demoRoot(), {
      methods: { 'demo.v1.Things': ['GetThing'] },
      extraTypes: [],
    });
    expect(keep).toContain('demo.v1.Thing.State'); // nested enum field
    expect(keep).toContain('demo.v1.Label'); // map<string, Label>
    expect(keep).toContain('demo.v1.Part'); // repeated Part
    expect(keep).toContain('demo.v1.Size'); // Part.size, two hops away
    // A nested message no field uses stays out, even though its parent is kept.
    expect(keep).not.toContain('demo.v1.Thing.NeverUsed');
  });

  it('keeps the operation_info response_type named in the service package and the fully-qualified metadata_type', () => {
    const keep = reachableTypes(demoRoot(), {
      methods: { 'demo.v1.Things': ['CreateThing'] },
      extraTypes: [],
    });
    // Neither is reachable through a field: only the method option names them.
    expect(keep).toContain('demo.v1.CreateThingResult');
    expect(keep).toContain('demo.v1.Receipt');
    expect(keep).toContain('other.v1.CreateThingMetadata');
    expect(keep).toContain('other.v1.Progress');
  });

  it('keeps extraTypes and what their fields reach', () => {
    const without = reachableTypes(demoRoot(), { ...SPEC, extraTypes: [] });
    expect(without).not.toContain('other.v1.Detail');
    expect(without).not.toContain('other.v1.DetailKind');
    const keep = reachableTypes(demoRoot(), SPEC);
    expect(keep).toContain('other.v1.Detail');
    expect(keep).toContain('other.v1.DetailKind');
  });

  it('drops unreachable messages and enums, and the types only other methods of the service use', () => {
    const keep = reachableTypes(demoRoot(), SPEC);
    for (const name of [
      'demo.v1.Orphan',
      'demo.v1.OrphanEnum',
      'demo.v1.DeleteThingRequest', // DeleteThing is not kept
      'demo.v1.DeleteReason',
      'demo.v1.PingRequest', // another service
      'other.v1.Empty',
      'other.v1.Unrelated',
      'lonely.v1.Alone',
      'lonely.v1.CreateThingResult',
    ])
      expect(keep, name).not.toContain(name);
  });

  it("keeps every method of a service listed with '*'", () => {
    const keep = reachableTypes(demoRoot(), ALL_METHODS);
    expect(keep).toContain('demo.v1.DeleteThingRequest');
    expect(keep).toContain('demo.v1.DeleteReason');
    expect(keep).toContain('other.v1.Empty');
    expect(keep).toContain('demo.v1.CreateThingResult');
    expect(keep).not.toContain('demo.v1.PingRequest');
  });

  it('fails loudly for a method name the service does not have (a typo in config.ts)', () => {
    expect(() =>
      reachableTypes(demoRoot(), { ...SPEC, methods: { 'demo.v1.Things': ['CreateThing', 'CreateThnig'] } }),
    ).toThrow(/demo\.v1\.Things has no method CreateThnig/);
  });
});

describe('pruneJson', () => {
  function pruned(spec: PruneSpec): { json: JsonObject; root: protobuf.Root } {
    const full = demoRoot();
    const json = pruneJson(full, reachableTypes(full, spec), spec.methods);
    const root = protobuf.Root.fromJSON(JSON.parse(JSON.stringify(json)));
    return { json, root };
  }

  it('produces a descriptor that loads and resolves on its own', () => {
    for (const spec of [SPEC, ALL_METHODS]) {
      const { root } = pruned(spec);
      expect(() => root.resolveAll()).not.toThrow();
      expect(allTypes(root)).toEqual([...reachableTypes(demoRoot(), spec)].sort());
    }
  });

  it("keeps only the kept methods of a service (all of them with '*') and drops other services", () => {
    expect(Object.keys(pruned(SPEC).root.lookupService('demo.v1.Things').methods).sort()).toEqual([
      'CreateThing',
      'GetThing',
    ]);
    expect(Object.keys(pruned(ALL_METHODS).root.lookupService('demo.v1.Things').methods).sort()).toEqual([
      'CreateThing',
      'DeleteThing',
      'GetThing',
    ]);
    expect(pruned(SPEC).root.lookup('demo.v1.Pinger')).toBeNull();
  });

  it('keeps method options: the (google.api.http) rule REST transcoding reads and the operation_info', () => {
    const method = pruned(SPEC).root.lookupService('demo.v1.Things').methods.CreateThing;
    // gax's REST fallback transcodes a request with `rpc.parsedOptions`.
    expect(method?.parsedOptions).toEqual([
      { '(google.api.http)': { post: '/v1/{parent=projects/*}/things', body: 'thing' } },
      {
        '(google.longrunning.operation_info)': {
          response_type: 'CreateThingResult',
          metadata_type: 'other.v1.CreateThingMetadata',
        },
      },
    ]);
    expect(method?.options).toMatchObject({
      '(google.api.http).post': '/v1/{parent=projects/*}/things',
      '(google.api.http).body': 'thing',
    });
    const get = pruned(SPEC).root.lookupService('demo.v1.Things').methods.GetThing;
    expect(get?.parsedOptions).toEqual([{ '(google.api.http)': { get: '/v1/{name=projects/*/things/*}' } }]);
  });

  it('drops unreachable types, unused nested types of kept messages, and namespaces left empty', () => {
    const { json, root } = pruned(SPEC);
    for (const name of [
      'demo.v1.Orphan',
      'demo.v1.OrphanEnum',
      'demo.v1.DeleteThingRequest',
      'demo.v1.Thing.NeverUsed',
      'other.v1.Empty',
      'other.v1.Unrelated',
    ])
      expect(root.lookup(name), name).toBeNull();
    expect(root.lookupType('demo.v1.Thing').nested ?? {}).not.toHaveProperty('NeverUsed');
    // lonely.v1 held only an unreachable message: no empty `lonely` namespace is left behind.
    expect(Object.keys(json.nested as JsonObject).sort()).toEqual(['demo', 'other']);
    // A kept message with nothing nested left carries no `nested` key.
    const other = ((json.nested as JsonObject).other as JsonObject).nested as JsonObject;
    expect(Object.keys((other.v1 as JsonObject).nested as JsonObject).sort()).toEqual([
      'CreateThingMetadata',
      'Detail',
      'DetailKind',
      'Operation',
      'Progress',
    ]);
    expect((other.v1 as { nested: JsonObject }).nested.Operation).toEqual({
      fields: { name: { type: 'string', id: 1 }, done: { type: 'bool', id: 2 } },
    });
  });

  it('keeps the enclosing message of a reachable nested type, so the descriptor still resolves', () => {
    const full = new protobuf.Root();
    protobuf.parse(
      `syntax = "proto3";
       package nest.v1;
       service S { rpc Do(Req) returns (Res); }
       message Holder {
         message Inner { int32 x = 1; }
         enum Kind { KIND_UNSPECIFIED = 0; }
         string unused = 1;
       }
       message Req { Holder.Inner inner = 1; }
       message Res { Holder.Kind kind = 1; }`,
      full,
    );
    full.resolveAll();
    const spec: PruneSpec = { methods: { 'nest.v1.S': ['Do'] }, extraTypes: [] };
    const keep = reachableTypes(full, spec);
    expect(keep).toContain('nest.v1.Holder.Inner');
    expect(keep).toContain('nest.v1.Holder.Kind');
    expect(keep).toContain('nest.v1.Holder');
    const json = JSON.parse(JSON.stringify(pruneJson(full, keep, spec.methods)));
    const root = protobuf.Root.fromJSON(json);
    expect(() => root.resolveAll()).not.toThrow();
    expect(root.lookupType('nest.v1.Req').fields.inner?.resolvedType?.fullName).toBe('.nest.v1.Holder.Inner');
    expect(emitTypes(root, keep)).toContain('export interface Holder_Inner {');
  });
});

// ---------------------------------------------------------------------------------------------
// emitTypes
// ---------------------------------------------------------------------------------------------

describe('emitTypes', () => {
  it('emits one interface per message and one union per enum, with every field optional and nullable', () => {
    const root = protobuf.parse(`
      syntax = "proto3";
      package shop.v1;
      message Item {
        enum Color {
          COLOR_UNSPECIFIED = 0;
          RED = 1;
          BLUE = 2;
        }
        message Part { string label = 1; }
        string display_name = 1;
        int64 size_bytes = 2;
        bytes payload = 3;
        Color color = 4;
        repeated Color past_colors = 5;
        map<string, Part> parts_by_id = 6;
        Part main_part = 7;
        repeated string tags = 8;
        map<string, int64> counts = 9;
        repeated bytes blobs = 10;
        double ratio = 11;
        bool enabled = 12;
      }
      message Unkept { string s = 1; }
    `).root;
    root.resolveAll();
    const keep = reachableTypes(root, { methods: {}, extraTypes: ['shop.v1.Item'] });
    expect(emitTypes(root, keep)).toBe(
      [
        '/** A 64-bit integer as protobufjs hands it out: a decimal string, a number, or a Long. */',
        '',
        'export type Int64 = string | number | { low: number; high: number; unsigned: boolean };',
        '',
        '/** `shop.v1.Item` */',
        'export interface Item {',
        '  displayName?: string | null;',
        '  sizeBytes?: Int64 | null;',
        '  payload?: Uint8Array | string | null;',
        '  color?: Item_Color | number | null;',
        '  pastColors?: (Item_Color | number)[] | null;',
        '  partsById?: { [key: string]: Item_Part } | null;',
        '  mainPart?: Item_Part | null;',
        '  tags?: string[] | null;',
        '  counts?: { [key: string]: Int64 } | null;',
        '  blobs?: (Uint8Array | string)[] | null;',
        '  ratio?: number | null;',
        '  enabled?: boolean | null;',
        '}',
        '',
        '/** `shop.v1.Item.Color` */',
        "export type Item_Color = 'COLOR_UNSPECIFIED' | 'RED' | 'BLUE';",
        '/** The values of `shop.v1.Item.Color`: name to number. */',
        'export const Item_Color = { COLOR_UNSPECIFIED: 0, RED: 1, BLUE: 2 } as const satisfies Record<Item_Color, number>;',
        '',
        '/** `shop.v1.Item.Part` */',
        'export interface Item_Part {',
        '  label?: string | null;',
        '}',
      ].join('\n'),
    );
  });

  it('throws when two kept types would get the same local name', () => {
    const root = new protobuf.Root();
    protobuf.parse('syntax = "proto3"; package a.v1; message Foo { string s = 1; }', root);
    protobuf.parse('syntax = "proto3"; package b.v1; message Foo { int32 n = 1; }', root);
    protobuf.parse(
      'syntax = "proto3"; package c.v1; message Bar { message Baz { bool b = 1; } } message Bar_Baz {}',
      root,
    );
    root.resolveAll();
    expect(() => emitTypes(root, new Set(['a.v1.Foo']))).not.toThrow();
    expect(() => emitTypes(root, new Set(['a.v1.Foo', 'b.v1.Foo']))).toThrow(
      /two kept types would both be called Foo: a\.v1\.Foo and b\.v1\.Foo/,
    );
    // A nested type's name joins its parents with `_`, which can collide with a top-level name.
    expect(() => emitTypes(root, new Set(['c.v1.Bar.Baz', 'c.v1.Bar_Baz']))).toThrow(/Bar_Baz/);
  });
});

// ---------------------------------------------------------------------------------------------
// emitRules: values read off the protos
// ---------------------------------------------------------------------------------------------

const RULES_PROTO = `
syntax = "proto3";
package rules.v1;

service Shop {
  rpc PutItem(PutItemRequest) returns (Item) {
    option (google.api.http) = { post: "/v1/{parent=shops/*}/items" body: "item" };
  }
}

// Status codes.
enum Code {
  // Fine.
  //
  // HTTP Mapping: 200 OK
  OK = 0;
  // Broken.
  //
  // HTTP Mapping: 500 Internal Server Error
  BROKEN = 1;
}
enum Undocumented {
  // HTTP Mapping: 200 OK
  UNDOCUMENTED_UNSPECIFIED = 0;
  // No mapping here.
  OTHER = 1;
}

message PutItemRequest {
  string parent = 1 [(google.api.field_behavior) = REQUIRED];
  Item item = 2;
}
message Item {
  // OUTPUT_ONLY second: protobufjs's flat options keep only the last one.
  string id = 1 [(google.api.field_behavior) = OUTPUT_ONLY, (google.api.field_behavior) = IMMUTABLE];
  string label = 2 [(google.api.field_behavior) = IMMUTABLE, (google.api.field_behavior) = REQUIRED];
  repeated Tag tags = 3;
  map<string, int64> counts = 4;
  oneof price {
    int64 cents = 5;
    double ratio = 6;
  }
}
message Tag { string text = 1; }
message Unused { string s = 1; }
`;

function rulesRoot(): protobuf.Root {
  // protobufjs records (google.api.*) options without their definitions.
  const root = new protobuf.Root();
  protobuf.parse(RULES_PROTO, root, { alternateCommentMode: true });
  root.resolveAll();
  return root;
}

describe('emitRules', () => {
  it('reads every google.api.field_behavior of a field, not only the last one', () => {
    const root = rulesRoot();
    const rules = requestMessages(root, [root.lookupService('rules.v1.Shop')]);
    expect(Object.keys(rules).sort()).toEqual(['rules.v1.Item', 'rules.v1.PutItemRequest', 'rules.v1.Tag']);
    expect(rules['rules.v1.Item']?.fields.id).toEqual({ type: 'string', outputOnly: true });
    expect(rules['rules.v1.Item']?.fields.label).toEqual({ type: 'string', required: true });
    expect(rules['rules.v1.PutItemRequest']?.fields.parent).toEqual({ type: 'string', required: true });
    expect(rules['rules.v1.Item']?.settable).toEqual(['label', 'tags', 'counts', 'cents', 'ratio']);
  });

  it('describes repeated, map, oneof, enum and message fields', () => {
    const root = rulesRoot();
    const item = requestMessages(root, [root.lookupService('rules.v1.Shop')])['rules.v1.Item'];
    expect(item?.fields.tags).toEqual({ type: 'message', typeName: 'rules.v1.Tag', repeated: true });
    expect(item?.fields.counts).toEqual({ type: 'int64', mapKey: 'string' });
    expect(item?.fields.cents).toEqual({ type: 'int64', oneof: 'price' });
    expect(item?.oneofs).toEqual({ price: ['cents', 'ratio'] });
  });

  it('reads the HTTP mapping of an enum from its value comments, only when every value has one', () => {
    const root = rulesRoot();
    expect(httpMapping(root.lookupEnum('rules.v1.Code'))).toEqual({ OK: 200, BROKEN: 500 });
    expect(httpMapping(root.lookupEnum('rules.v1.Undocumented'))).toBeUndefined();
  });

  it('lists the google.api.http rules of a service as google.api.HttpRule objects', () => {
    const root = rulesRoot();
    expect(httpRules(root.lookupService('rules.v1.Shop'))).toEqual([
      { selector: 'rules.v1.Shop.PutItem', post: '/v1/{parent=shops/*}/items', body: 'item' },
    ]);
  });

  it('emits TYPE_NAMES, the HTTP mapping, the HTTP rules and REQUEST_MESSAGES as TypeScript values', () => {
    const root = rulesRoot();
    const keep = new Set(['rules.v1.Code', 'rules.v1.Undocumented', 'rules.v1.Item', 'rules.v1.Tag']);
    const text = emitRules(root, root, keep);
    expect(text).toContain('export const TYPE_NAMES = {');
    expect(text).toContain('"Code": "rules.v1.Code"');
    expect(text).toContain('"Shop": "rules.v1.Shop"');
    expect(text).not.toContain('"Unused"');
    expect(text).toContain('export const Code_HTTP_STATUS = {');
    expect(text).not.toContain('Undocumented_HTTP_STATUS');
    expect(text).toContain('export const Shop_HTTP_RULES = [');
    expect(text).toContain('export const REQUEST_MESSAGES = {');
  });

  it('emits <Name>_Input interfaces: settable fields only, REQUIRED ones required, int64 also as bigint', () => {
    const root = rulesRoot();
    const text = emitRules(root, root, new Set(['rules.v1.Item', 'rules.v1.Tag', 'rules.v1.PutItemRequest']));
    const lines = text.split('\n');
    const start = lines.indexOf('export interface Item_Input {');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, lines.indexOf('}', start))).toEqual([
      '  label: string;',
      '  tags?: Tag_Input[] | null;',
      '  counts?: { [key: string]: Int64 | bigint } | null;',
      '  cents?: Int64 | bigint | null;',
      '  ratio?: number | null;',
    ]);
    expect(text).toContain(
      'export interface PutItemRequest_Input {\n  parent: string;\n  item?: Item_Input | null;\n}',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The real generator on google-proto-files
// ---------------------------------------------------------------------------------------------

const CHANNEL = 'google.cloud.channel.v1.CloudChannelService';
const JSON_FILE = path.join(channelCodegen.outDir, 'channel.json');
const TS_FILE = path.join(channelCodegen.outDir, 'channel.ts');

describe('generateChannel (google-proto-files)', () => {
  interface Generated {
    files: Map<string, string>;
    kept: number;
    descriptor: JsonObject;
    /** The pruned descriptor, loaded (protobuf.Root.fromJSON resolves every reference). */
    root: protobuf.Root;
    /** Everything the entry protos load, before pruning. */
    full: protobuf.Root;
    ts: string;
  }
  let generated: Generated | undefined;
  /** Generated once, on first use: a generator that throws fails each test rather than skipping them. */
  function real(): Generated {
    if (generated) return generated;
    const { files, kept } = generateChannel(channelCodegen);
    const json = files.get(JSON_FILE);
    const text = files.get(TS_FILE);
    if (json === undefined || text === undefined) throw new Error(`unexpected files: ${[...files.keys()]}`);
    const descriptor = JSON.parse(json) as JsonObject;
    generated = {
      files,
      kept,
      descriptor,
      root: protobuf.Root.fromJSON(descriptor),
      full: loadProtos(channelCodegen.protos),
      ts: text,
    };
    return generated;
  }

  it('writes channel.json and channel.ts', () => {
    const { files, kept, root } = real();
    expect([...files.keys()].sort()).toEqual([JSON_FILE, TS_FILE]);
    expect(kept).toBe(allTypes(root).length);
  });

  it('keeps CreateEntitlement with its google.api.http post rule and operation_info', () => {
    const { root } = real();
    const method = root.lookupService(CHANNEL).methods.CreateEntitlement;
    expect(method?.requestType).toBe('CreateEntitlementRequest');
    expect(method?.responseType).toBe('google.longrunning.Operation');
    expect(method?.parsedOptions).toEqual(
      expect.arrayContaining([
        { '(google.api.http)': { post: '/v1/{parent=accounts/*/customers/*}/entitlements', body: '*' } },
        {
          '(google.longrunning.operation_info)': {
            response_type: 'Entitlement',
            metadata_type: 'OperationMetadata',
          },
        },
      ]),
    );
    // What operation_info names is in the descriptor, although only Any fields point to it.
    expect(root.lookupType('google.cloud.channel.v1.Entitlement')).toBeInstanceOf(protobuf.Type);
    expect(root.lookupType('google.cloud.channel.v1.OperationMetadata')).toBeInstanceOf(protobuf.Type);
  });

  it('keeps all of google.longrunning.Operations with their http rules', () => {
    const { root, full } = real();
    const methods = root.lookupService('google.longrunning.Operations').methods;
    expect(Object.keys(methods).sort()).toEqual(
      Object.keys(full.lookupService('google.longrunning.Operations').methods).sort(),
    );
    expect(methods.GetOperation?.parsedOptions).toEqual(
      expect.arrayContaining([{ '(google.api.http)': { get: '/v1/{name=operations/**}' } }]),
    );
    expect(methods.CancelOperation?.parsedOptions).toEqual(
      expect.arrayContaining([
        { '(google.api.http)': { post: '/v1/{name=operations/**}:cancel', body: '*' } },
      ]),
    );
  });

  it('keeps only the configured CloudChannelService methods', () => {
    const { root, full } = real();
    const all = Object.keys(full.lookupService(CHANNEL).methods);
    expect(all.length).toBeGreaterThan(40);
    expect(all).toEqual(expect.arrayContaining(['ListCustomers', 'ChangeOffer']));
    const methods = Object.keys(root.lookupService(CHANNEL).methods);
    expect(methods.sort()).toEqual([...(channelCodegen.methods[CHANNEL] ?? [])].sort());
    expect(methods).toContain('CreateEntitlement');
    expect(methods).not.toContain('ListCustomers');
    expect(methods).not.toContain('ChangeOffer');
  });

  it('drops messages no kept method reaches', () => {
    const { root, full } = real();
    for (const name of [
      'google.cloud.channel.v1.Customer',
      'google.cloud.channel.v1.ListCustomersRequest',
      'google.cloud.channel.v1.ChangeOfferRequest',
      'google.cloud.channel.v1.Offer',
      'google.api.HttpRule',
      'google.cloud.channel.v1.ChannelPartnerLink',
    ]) {
      expect(full.lookup(name), name).not.toBeNull();
      expect(root.lookup(name), name).toBeNull();
    }
    expect(root.lookup('google.api')).toBeNull();
  });

  it('is small: the minified descriptor is under 16 KB, the full protos more than 5x that', () => {
    const { descriptor, full } = real();
    const minified = JSON.stringify(descriptor).length;
    const fullSize = JSON.stringify(full.toJSON()).length;
    expect(minified).toBeLessThan(16 * 1024);
    expect(fullSize).toBeGreaterThan(5 * minified);
  });

  it('resolves every type a kept field or method refers to', () => {
    const { root } = real();
    let checked = 0;
    for (const type of allMessages(root)) {
      for (const field of type.fieldsArray) {
        field.resolve();
        if (field.type in protobuf.types.basic) continue;
        expect(field.resolvedType, `${type.fullName}.${field.name}: ${field.type}`).toBeTruthy();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    for (const service of [CHANNEL, 'google.longrunning.Operations']) {
      for (const method of root.lookupService(service).methodsArray) {
        method.resolve();
        expect(method.resolvedRequestType, method.fullName).toBeInstanceOf(protobuf.Type);
        expect(method.resolvedResponseType, method.fullName).toBeInstanceOf(protobuf.Type);
      }
    }
  });

  it('emits a type for every kept message and enum', () => {
    const { root, ts: text } = real();
    for (const name of allTypes(root)) expect(text, name).toContain(`/** \`${name}\` */\n`);
    expect(text).toContain('export interface CreateEntitlementRequest {');
    expect(text).toContain('export type Entitlement_ProvisioningState =');
  });

  it('emits google.rpc.Code (names, numbers, HTTP mapping) as code.proto defines it', async () => {
    const { full } = real();
    const generatedModule = await import('../../generated/google/channel.ts');
    const code = full.lookupEnum('google.rpc.Code');
    expect(generatedModule.Code).toEqual(code.values);
    expect(Object.keys(generatedModule.Code_HTTP_STATUS).sort()).toEqual(Object.keys(code.values).sort());
    for (const [name, status] of Object.entries(generatedModule.Code_HTTP_STATUS))
      expect(code.comments[name], name).toContain(`HTTP Mapping: ${status}`);
  });

  it('emits every kept enum as name-to-number values, and every kept type in TYPE_NAMES', async () => {
    const { root } = real();
    const generatedModule = (await import('../../generated/google/channel.ts')) as unknown as Record<
      string,
      unknown
    >;
    const typeNames = generatedModule.TYPE_NAMES as Record<string, string>;
    for (const name of allTypes(root)) {
      expect(Object.values(typeNames), name).toContain(name);
      const object = root.lookup(name);
      if (object instanceof protobuf.Enum) {
        const local = Object.entries(typeNames).find(([, full]) => full === name)?.[0] ?? '';
        expect(generatedModule[local], name).toEqual(object.values);
      }
    }
  });

  it("emits the HTTP methods a rule may name from google.api.HttpRule's pattern oneof", async () => {
    const { full } = real();
    const { HttpRule_PATTERNS } = await import('../../generated/google/channel.ts');
    const pattern = full.lookupType('google.api.HttpRule').oneofs.pattern;
    expect(HttpRule_PATTERNS).toEqual(
      pattern?.fieldsArray.filter((field) => field.type === 'string').map((field) => field.name),
    );
    expect(HttpRule_PATTERNS).toContain('post');
  });

  it("emits the Operations http rules from operations.proto's annotations", async () => {
    const { full } = real();
    const { Operations_HTTP_RULES } = await import('../../generated/google/channel.ts');
    const service = full.lookupService('google.longrunning.Operations');
    const annotated = service.methodsArray.filter((method) =>
      (method.parsedOptions ?? []).some((option: object) => '(google.api.http)' in option),
    );
    expect(Operations_HTTP_RULES.map((rule) => rule.selector)).toEqual(
      annotated.map((method) => method.fullName.slice(1)),
    );
    for (const rule of Operations_HTTP_RULES) {
      const method = service.methods[rule.selector.split('.').at(-1) ?? ''];
      const { selector: _, ...pattern } = rule;
      expect(method?.parsedOptions, rule.selector).toContainEqual({ '(google.api.http)': pattern });
    }
  });

  it('derives the settable Entitlement fields: every field not marked OUTPUT_ONLY in the protos', async () => {
    const { full } = real();
    const { REQUEST_MESSAGES } = await import('../../generated/google/channel.ts');
    const entitlement = full.lookupType('google.cloud.channel.v1.Entitlement');
    const outputOnly = entitlement.fieldsArray
      .filter((field) =>
        ((field.parsedOptions ?? []) as Record<string, unknown>[]).some(
          (option) => option['(google.api.field_behavior)'] === 'OUTPUT_ONLY',
        ),
      )
      .map((field) => field.name);
    expect(outputOnly.length).toBeGreaterThan(3);
    expect(REQUEST_MESSAGES['google.cloud.channel.v1.Entitlement'].settable).toEqual(
      entitlement.fieldsArray.map((field) => field.name).filter((name) => !outputOnly.includes(name)),
    );
  });

  it("resolves a resource_reference to the referenced resource's name patterns in the full protos", async () => {
    const { full } = real();
    const { REQUEST_MESSAGES } = await import('../../generated/google/channel.ts');
    const offer = full.lookupType('google.cloud.channel.v1.Offer');
    expect(REQUEST_MESSAGES['google.cloud.channel.v1.Entitlement'].fields.offer.patterns).toEqual([
      offer.options?.['(google.api.resource).pattern'],
    ]);
    const customer = full.lookupType('google.cloud.channel.v1.Customer');
    expect(
      REQUEST_MESSAGES['google.cloud.channel.v1.CreateEntitlementRequest'].fields.parent.patterns,
    ).toEqual([customer.options?.['(google.api.resource).pattern']]);
  });

  it('lists the Value oneof kinds as the protos declare them', async () => {
    const { full } = real();
    const { REQUEST_MESSAGES } = await import('../../generated/google/channel.ts');
    const value = full.lookupType('google.cloud.channel.v1.Value');
    expect(REQUEST_MESSAGES['google.cloud.channel.v1.Value'].oneofs).toEqual(
      Object.fromEntries(value.oneofsArray.map((oneof) => [oneof.name, oneof.oneof])),
    );
  });

  it(
    'channel.ts compiles, accepts a valid CreateEntitlementRequest and rejects a wrong field name',
    async () => {
      const { ts: channelTs } = real();
      const dir = await tmpDir('google-channel-types-');
      const sources: Record<string, string> = {
        'package.json': '{ "type": "module" }\n',
        'channel.ts': channelTs,
        'ok.ts': `import type { CreateEntitlementRequest, Operation } from './channel.ts';
export const request: CreateEntitlementRequest = {
  parent: 'accounts/A1/customers/C1',
  requestId: null,
  entitlement: {
    offer: 'accounts/A1/offers/O1',
    provisioningState: 'ACTIVE',
    suspensionReasons: ['TRIAL_ENDED', 2],
    createTime: { seconds: '1700000000', nanos: 0 },
    commitmentSettings: {
      renewalSettings: { enableRenewal: true, paymentPlan: 'COMMITMENT', paymentCycle: { duration: 1, periodType: 'YEAR' } },
    },
    parameters: [
      { name: 'num_units', value: { int64Value: { low: 10, high: 0, unsigned: false } } },
      { name: 'max_units', value: { int64Value: 20 } },
    ],
  },
};
export const operation: Operation = { name: 'operations/1', done: true, error: { code: 3, details: [] } };
`,
        'bad-field.ts': `import type { CreateEntitlementRequest } from './channel.ts';
export const request: CreateEntitlementRequest = { parent: 'accounts/A1/customers/C1', entitlment: {} };
`,
        'bad-enum.ts': `import type { CreateEntitlementRequest } from './channel.ts';
export const request: CreateEntitlementRequest = { entitlement: { provisioningState: 'ACTIVATED' } };
`,
      };
      for (const [name, text] of Object.entries(sources)) await writeFile(path.join(dir, name), text);
      const program = ts.createProgram(
        ['channel.ts', 'ok.ts', 'bad-field.ts', 'bad-enum.ts'].map((name) => path.join(dir, name)),
        {
          target: ts.ScriptTarget.ES2023,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          allowImportingTsExtensions: true,
          noEmit: true,
          types: [],
        },
      );
      const byFile = new Map<string, string[]>();
      for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
        const file = diagnostic.file ? path.basename(diagnostic.file.fileName) : '(global)';
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        byFile.set(file, [...(byFile.get(file) ?? []), message]);
      }
      expect(byFile.get('(global)')).toBeUndefined();
      expect(byFile.get('channel.ts')).toBeUndefined();
      expect(byFile.get('ok.ts')).toBeUndefined();
      expect(byFile.get('bad-field.ts')).toEqual([expect.stringContaining("'entitlment'")]);
      expect(byFile.get('bad-enum.ts')).toEqual([expect.stringContaining('"ACTIVATED"')]);
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// generate --check covers generated/google
// ---------------------------------------------------------------------------------------------

describe('generate --check on generated/google', () => {
  it(
    'fails naming channel.ts after a hand edit; `generate` restores it and --check passes again',
    async () => {
      const dir = await copyOfRepo('google-drift-');
      expect((await generate(dir, '--check', '--quiet')).code).toBe(0);

      await appendFile(path.join(dir, TS_FILE), 'export type HandEdited = true;\n');
      const stale = await generate(dir, '--check', '--quiet');
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('generated/ is stale');
      expect(stale.stderr).toContain(TS_FILE);
      expect(stale.stderr).not.toContain(JSON_FILE);
      expect(stale.stderr).not.toContain('generated/confluent');
      expect(stale.stdout).not.toContain('up to date');

      const written = await generate(dir, '--quiet');
      expect(written.stderr).toBe('');
      expect(written.code).toBe(0);
      expect(await readFile(path.join(dir, TS_FILE), 'utf8')).toBe(
        generateChannel(channelCodegen).files.get(TS_FILE),
      );

      const check = await generate(dir, '--check', '--quiet');
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('generated/ is up to date');
    },
    TIMEOUT,
  );
});
