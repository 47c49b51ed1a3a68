/**
 * What changed between two editions of the normalised document, in the operations the library
 * uses: parameters, request body and response bodies, field by field (enum values, fields,
 * `required`, types, limits). A change the library or its callers must react to is breaking:
 * - on the request side (what callers build and the library sends): anything that refuses a
 *   request the old edition accepted (a removed field or enum value, a new required field, a new
 *   or tighter limit, another type);
 * - on the response side (what callers read): anything an old reader may not expect (a removed or
 *   no longer required field, a new value in a closed enum, null where there was none, another
 *   type). New values in an open (`x-extensible-enum`) list are expected by design.
 */

import { type FieldShape, type OperationShape, operationShape } from '../../src/openapi/shape.ts';
import { isObject, type JsonObject } from '../lib/json.ts';

export interface SpecChange {
  operationId: string;
  /** `request body`, `query parameter organization.id`, `response 200`... */
  where: string;
  /** Dotted field path inside `where` (`organization.id`, `items[]`); empty for the whole value. */
  field: string;
  description: string;
  breaking: boolean;
}

type Side = 'request' | 'response';

const LOWER_BOUNDS = ['minLength', 'minimum', 'minItems'] as const;
const UPPER_BOUNDS = ['maxLength', 'maximum', 'maxItems'] as const;

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

class Collector {
  readonly changes: SpecChange[] = [];
  readonly operationId: string;
  readonly where: string;
  constructor(operationId: string, where: string) {
    this.operationId = operationId;
    this.where = where;
  }
  add(field: string, description: string, breaking: boolean): void {
    this.changes.push({ operationId: this.operationId, where: this.where, field, description, breaking });
  }
}

function diffEnum(out: Collector, path: string, before: FieldShape, after: FieldShape, side: Side): void {
  const was = before.enum;
  const now = after.enum;
  if (was === undefined && now === undefined) return;
  if (was === undefined) {
    out.add(
      path,
      `now limited to ${now?.map(show).join(', ')}${after.open ? ' (open list)' : ''}`,
      side === 'request',
    );
    return;
  }
  if (now === undefined) {
    out.add(
      path,
      `no longer limited to a list of values (was ${was.map(show).join(', ')})`,
      side === 'response',
    );
    return;
  }
  const openBefore = before.open === true;
  const openAfter = after.open === true;
  if (openBefore !== openAfter)
    out.add(
      path,
      openAfter
        ? 'the list of values is now open (x-extensible-enum)'
        : 'the list of values is now closed (enum)',
      side === 'response' ? openAfter : !openAfter,
    );
  const kind = openAfter ? 'known value' : 'enum value';
  for (const value of now)
    if (!was.includes(value))
      out.add(path, `${kind} ${show(value)} added`, side === 'response' && !openAfter);
  for (const value of was)
    if (!now.includes(value)) out.add(path, `${kind} ${show(value)} removed`, side === 'request');
}

function diffLimits(out: Collector, path: string, before: FieldShape, after: FieldShape, side: Side): void {
  const bounds = [
    ...LOWER_BOUNDS.map((name) => [name, 1] as const),
    ...UPPER_BOUNDS.map((name) => [name, -1] as const),
  ];
  for (const [name, direction] of bounds) {
    const was = before[name];
    const now = after[name];
    if (was === now) continue;
    // Tighter: a limit appears, or a lower bound rises, or an upper bound falls.
    const tighter = was === undefined || (now !== undefined && (now - was) * direction > 0);
    const text =
      now === undefined
        ? `${name} ${was} removed`
        : was === undefined
          ? `${name} ${now} added`
          : `${name} ${was} -> ${now}`;
    out.add(path, text, side === 'request' && tighter && now !== undefined);
  }
  for (const name of ['exclusiveMinimum', 'exclusiveMaximum', 'pattern', 'format'] as const) {
    const was = before[name];
    const now = after[name];
    if (was === now) continue;
    const text =
      now === undefined
        ? `${name} ${show(was)} removed`
        : was === undefined
          ? `${name} ${show(now)} added`
          : `${name} ${show(was)} -> ${show(now)}`;
    out.add(path, text, side === 'request' && now !== undefined);
  }
}

function diffShape(out: Collector, path: string, before: FieldShape, after: FieldShape, side: Side): void {
  if ((before.type ?? 'any') !== (after.type ?? 'any')) {
    // From any type to one type narrows what is accepted (breaking for requests); the reverse
    // widens what may come back (breaking for responses); one type for another is both.
    const breaking =
      before.type === undefined ? side === 'request' : after.type === undefined ? side === 'response' : true;
    out.add(path, `type ${before.type ?? 'any'} -> ${after.type ?? 'any'}`, breaking);
    if (before.type !== undefined && after.type !== undefined) return;
  }
  if ((before.nullable === true) !== (after.nullable === true)) {
    const nowNullable = after.nullable === true;
    out.add(
      path,
      nowNullable ? 'may now be null' : 'may no longer be null',
      side === 'request' ? !nowNullable : nowNullable,
    );
  }
  diffEnum(out, path, before, after, side);
  diffLimits(out, path, before, after, side);
  if (before.recursive !== after.recursive)
    out.add(path, `refers to ${after.recursive ?? 'another schema'} now`, true);

  const wasProperties = before.properties ?? {};
  const nowProperties = after.properties ?? {};
  const wasRequired = new Set(before.required ?? []);
  const nowRequired = new Set(after.required ?? []);
  for (const [name, property] of Object.entries(nowProperties)) {
    const field = join(path, name);
    const previous = wasProperties[name];
    if (previous === undefined) {
      const required = nowRequired.has(name);
      out.add(field, `field added${required ? ' (required)' : ''}`, side === 'request' && required);
      continue;
    }
    if (wasRequired.has(name) !== nowRequired.has(name)) {
      const required = nowRequired.has(name);
      out.add(
        field,
        required ? 'now required' : 'no longer required',
        side === 'request' ? required : !required,
      );
    }
    diffShape(out, field, previous, property, side);
  }
  for (const name of Object.keys(wasProperties))
    if (!(name in nowProperties)) out.add(join(path, name), 'field removed', true);

  const wasClosed = before.additionalProperties === false;
  const nowClosed = after.additionalProperties === false;
  if (wasClosed !== nowClosed)
    out.add(
      path,
      nowClosed ? 'no longer accepts other fields' : 'now accepts other fields',
      side === 'request' && nowClosed,
    );

  if (before.items !== undefined || after.items !== undefined)
    diffShape(out, `${path}[]`, before.items ?? {}, after.items ?? {}, side);
  if (JSON.stringify(before.anyOf) !== JSON.stringify(after.anyOf))
    out.add(path, 'its alternatives (anyOf/oneOf) changed', true);
}

function diffOperation(before: OperationShape, after: OperationShape): SpecChange[] {
  const changes: SpecChange[] = [];
  const { operationId } = after;
  const operation = new Collector(operationId, 'operation');
  if (before.method !== after.method || before.path !== after.path)
    operation.add('', `moved from ${before.method} ${before.path} to ${after.method} ${after.path}`, true);
  changes.push(...operation.changes);

  const key = (parameter: { in: string; name: string }) => `${parameter.in} parameter ${parameter.name}`;
  const wasParameters = new Map(before.parameters.map((parameter) => [key(parameter), parameter]));
  for (const parameter of after.parameters) {
    const out = new Collector(operationId, key(parameter));
    const previous = wasParameters.get(key(parameter));
    if (previous === undefined)
      out.add('', `added${parameter.required ? ' (required)' : ''}`, parameter.required);
    else {
      if (previous.required !== parameter.required)
        out.add('', parameter.required ? 'now required' : 'no longer required', parameter.required);
      diffShape(out, '', previous.schema, parameter.schema, 'request');
    }
    changes.push(...out.changes);
  }
  for (const name of wasParameters.keys())
    if (!after.parameters.some((current) => key(current) === name)) {
      const out = new Collector(operationId, name);
      out.add('', 'removed', true);
      changes.push(...out.changes);
    }

  const body = new Collector(operationId, 'request body');
  if (before.requestBody === undefined && after.requestBody !== undefined)
    body.add('', `added${after.requestBody.required ? ' (required)' : ''}`, after.requestBody.required);
  else if (before.requestBody !== undefined && after.requestBody === undefined) body.add('', 'removed', true);
  else if (before.requestBody !== undefined && after.requestBody !== undefined) {
    if (before.requestBody.required !== after.requestBody.required)
      body.add(
        '',
        after.requestBody.required ? 'now required' : 'no longer required',
        after.requestBody.required,
      );
    diffShape(body, '', before.requestBody.schema, after.requestBody.schema, 'request');
  }
  changes.push(...body.changes);

  for (const [status, schema] of Object.entries(after.responses)) {
    const out = new Collector(operationId, `response ${status}`);
    const previous = before.responses[status];
    if (previous === undefined) out.add('', 'documented now', false);
    else diffShape(out, '', previous, schema, 'response');
    changes.push(...out.changes);
  }
  for (const status of Object.keys(before.responses))
    if (!(status in after.responses)) {
      const out = new Collector(operationId, `response ${status}`);
      out.add('', 'no longer documented', false);
      changes.push(...out.changes);
    }
  return changes;
}

/** The changes from `before` to `after` in the given operations (both documents normalised). */
export function diffOperations(
  before: JsonObject,
  after: JsonObject,
  operationIds: readonly string[],
): SpecChange[] {
  const changes: SpecChange[] = [];
  for (const operationId of operationIds) {
    let previous: OperationShape;
    try {
      previous = operationShape(before, operationId);
    } catch {
      changes.push({
        operationId,
        where: 'operation',
        field: '',
        description: 'new in this edition',
        breaking: false,
      });
      continue;
    }
    changes.push(...diffOperation(previous, operationShape(after, operationId)));
  }
  return changes;
}

/**
 * The same change in several responses of an operation (the error bodies share one schema) is
 * listed once, under `responses 400, 401, ...`.
 */
function collapseResponses(changes: readonly SpecChange[]): SpecChange[] {
  const result: SpecChange[] = [];
  const merged = new Map<string, { change: SpecChange; statuses: string[] }>();
  const groups: { change: SpecChange; statuses: string[] }[] = [];
  for (const change of changes) {
    const status = /^response (\S+)$/.exec(change.where)?.[1];
    if (status === undefined) {
      result.push(change);
      continue;
    }
    const key = JSON.stringify([change.operationId, change.field, change.description, change.breaking]);
    const group = merged.get(key);
    if (group) group.statuses.push(status);
    else {
      const created = { change, statuses: [status] };
      merged.set(key, created);
      groups.push(created);
    }
  }
  for (const { change, statuses } of groups)
    result.push({
      ...change,
      where: `${statuses.length > 1 ? 'responses' : 'response'} ${statuses.join(', ')}`,
    });
  // Keep each operation's changes together, in the order they were found.
  const order = [...new Set(changes.map((change) => change.operationId))];
  return result.sort((a, b) => order.indexOf(a.operationId) - order.indexOf(b.operationId));
}

/** The report `npm run generate` prints: one line per change, grouped by operation and place. */
export function formatChanges(all: readonly SpecChange[]): string[] {
  if (all.length === 0) return ['  no change in the operations the library uses'];
  const changes = collapseResponses(all);
  const lines: string[] = [];
  let group = '';
  for (const change of changes) {
    const heading = `${change.operationId} ${change.where}`;
    if (heading !== group) {
      lines.push(`  ${heading}:`);
      group = heading;
    }
    const field = change.field === '' ? '' : `${change.field}: `;
    lines.push(`    ${change.breaking ? '**breaking** ' : ''}${field}${change.description}`);
  }
  const breaking = changes.filter((change) => change.breaking).length;
  lines.push(`  ${changes.length} change${changes.length === 1 ? '' : 's'}, ${breaking} breaking`);
  return lines;
}

export function isDocument(value: unknown): value is JsonObject {
  return isObject(value) && isObject(value.paths);
}
