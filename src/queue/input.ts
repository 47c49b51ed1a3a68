/**
 * A minimal reader of `entitlements enqueue` input, until the CLI's shared readers exist: JSONL
 * (one create request per line, with its `vendor` and an optional `idempotencyKey`) or CSV (a
 * header row of field paths such as `vendor,idempotencyKey,entitlement.external_id`; empty cells
 * are left out). A line that does not parse is reported with its number; the others go on.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { EntitlementError } from '../core/errors.ts';

export type InputLine =
  | { line: number; item: Record<string, unknown> }
  | { line: number; error: EntitlementError };

function bad(line: number, message: string): { line: number; error: EntitlementError } {
  return {
    line,
    error: new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'cli',
      message: `line ${line}: ${message}`,
      details: [{ line }],
    }),
  };
}

/** Splits one CSV record (RFC 4180 quoting; a record on one line). */
export function splitCsv(text: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const made: Record<string, unknown> = {};
      node[part] = made;
      node = made;
    }
  }
  node[parts.at(-1) as string] = value;
}

/** Reads items from a stream; `format` defaults from the first non-blank line (`{` is JSONL). */
export async function* readItems(input: Readable, format?: 'jsonl' | 'csv'): AsyncGenerator<InputLine> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let header: string[] | undefined;
  let kind = format;
  let number = 0;
  for await (const raw of lines) {
    number++;
    const text = raw.trim();
    if (text === '' || (kind !== 'csv' && text.startsWith('#'))) continue;
    kind ??= text.startsWith('{') ? 'jsonl' : 'csv';
    if (kind === 'jsonl') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield bad(number, `not JSON (${(error as Error).message})`);
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield bad(number, 'expected a JSON object (a create request with its "vendor")');
        continue;
      }
      yield { line: number, item: value as Record<string, unknown> };
      continue;
    }
    const cells = splitCsv(raw);
    if (!cells) {
      yield bad(number, 'unterminated quoted CSV cell');
      continue;
    }
    if (!header) {
      header = cells.map((cell) => cell.trim());
      if (!header.includes('vendor')) yield bad(number, 'the CSV header has no "vendor" column');
      continue;
    }
    if (cells.length !== header.length) {
      yield bad(number, `${cells.length} cells, the header has ${header.length}`);
      continue;
    }
    const item: Record<string, unknown> = {};
    header.forEach((path, index) => {
      const value = cells[index] as string;
      if (value !== '') setPath(item, path, value);
    });
    yield { line: number, item };
  }
}

/** Reads a file, or standard input for `-`. */
export function readItemsFrom(path: string, stdin: Readable = process.stdin): AsyncGenerator<InputLine> {
  const format = path.endsWith('.csv')
    ? 'csv'
    : path.endsWith('.jsonl') || path.endsWith('.ndjson')
      ? 'jsonl'
      : undefined;
  return readItems(path === '-' ? stdin : createReadStream(path), format);
}
