/**
 * CSV with a header row. Columns:
 * - `vendor` (required) and `idempotency_key` (optional);
 * - any other column is the dotted path of a field of the create request, as in the JSON Lines
 *   form (Confluent: `entitlement.external_id`, `entitlement.name`, `entitlement.plan_id`,
 *   `entitlement.product_id`, `entitlement.organization.id`; Cloud Channel: `parent`,
 *   `entitlement.offer`, `entitlement.purchaseOrderId`, `externalCorrelationId`);
 * - Cloud Channel parameters: `param:<name>`, typed like `entitlements create --param`
 *   (`10` is an int64Value, `true` a boolValue, `1.5` a doubleValue, else a stringValue), or
 *   `param:<name>:<int|string|double|bool>` to say which.
 * Empty cells are left out, so one header serves a file that mixes vendors. Values are strings
 * (never coerced), except parameters as above. Streamed through csv-parse.
 */
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { parse } from 'csv-parse';
import { parseParameter } from '../parameters.ts';
import { badLine, type InputLine } from './lines.ts';

const PATH = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;
const PARAM = /^param:([A-Za-z_][\w.-]*)(?::(int|string|double|bool))?$/;

type Column =
  | { kind: 'vendor' }
  | { kind: 'key' }
  | { kind: 'field'; path: string[] }
  | { kind: 'param'; name: string; type?: string };

function columnOf(name: string): Column | string {
  if (name === 'vendor') return { kind: 'vendor' };
  if (name === 'idempotency_key') return { kind: 'key' };
  const param = PARAM.exec(name);
  if (param) return { kind: 'param', name: param[1] as string, ...(param[2] ? { type: param[2] } : {}) };
  if (PATH.test(name)) return { kind: 'field', path: name.split('.') };
  return `column ${JSON.stringify(name)} is neither vendor, idempotency_key, param:<name> nor a dotted field path`;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): boolean {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) return false;
    node = node[part] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (node[last] !== undefined) return false;
  node[last] = value;
  return true;
}

export async function* readCsv(stream: Readable): AsyncGenerator<InputLine> {
  const parser = stream.pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: false }),
  );
  let columns: Column[] | undefined;
  let headerLine = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!columns) {
        headerLine = line;
        const parsed = record.map((name) => columnOf(name.trim()));
        const problem = parsed.find((column): column is string => typeof column === 'string');
        if (problem) {
          yield badLine(line, `the header row is wrong: ${problem}`);
          return;
        }
        if (!parsed.some((column) => typeof column === 'object' && column.kind === 'vendor')) {
          yield badLine(line, 'the header row needs a "vendor" column');
          return;
        }
        columns = parsed as Column[];
        continue;
      }
      if (record.length > columns.length) {
        yield badLine(
          line,
          `${record.length} cells, but the header (line ${headerLine}) has ${columns.length} columns`,
        );
        continue;
      }
      const item: Record<string, unknown> = {};
      let problem: InputLine | undefined;
      for (const [index, cell] of record.entries()) {
        if (cell === '') continue;
        const column = columns[index] as Column;
        if (column.kind === 'vendor') item.vendor = cell;
        else if (column.kind === 'key') item.idempotencyKey = cell;
        else if (column.kind === 'field') {
          if (!setPath(item, column.path, cell)) {
            problem = badLine(
              line,
              `column ${column.path.join('.')} clashes with another column`,
              column.path.join('.'),
            );
            break;
          }
        } else {
          try {
            const [parameter] = parseParameter(
              `${column.name}${column.type ? `:${column.type}` : ''}=${cell}`,
            );
            const entitlement = (item.entitlement ?? {}) as Record<string, unknown>;
            item.entitlement = entitlement;
            entitlement.parameters = [...((entitlement.parameters as unknown[]) ?? []), parameter];
          } catch (error) {
            const message = error instanceof InvalidArgumentError ? error.message : String(error);
            problem = badLine(line, `param:${column.name}: ${message}`, `param:${column.name}`);
            break;
          }
        }
      }
      yield problem ?? { line, item };
    }
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    yield badLine(line, `not CSV: ${(error as Error).message}`);
  }
}
