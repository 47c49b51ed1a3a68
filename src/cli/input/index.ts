/**
 * Reading batch input for the CLI (`apply`, `enqueue`): a file or `-` (stdin), JSON Lines or CSV
 * (by `format`, else by the file's extension: `.csv` is CSV, anything else JSON Lines; stdin is
 * JSON Lines unless `format` says CSV). Streamed; bad lines come out as entries with an error.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { EntitlementError } from '../../core/errors.ts';
import { readCsv } from './csv.ts';
import { readJsonl } from './jsonl.ts';
import type { InputLine } from './lines.ts';

export { readCsv } from './csv.ts';
export { readJsonl } from './jsonl.ts';
export type { InputLine } from './lines.ts';

export type InputFormat = 'jsonl' | 'csv';

export function formatOf(source: string, format?: InputFormat): InputFormat {
  if (format) return format;
  return source !== '-' && extname(source).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

/** Checks that a file exists and is readable before anything else happens. */
export async function checkSource(source: string): Promise<void> {
  if (source === '-') return;
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new Error('not a file');
  } catch (cause) {
    throw new EntitlementError({
      kind: 'not-found',
      vendor: 'input',
      message: `cannot read the input ${source}: ${(cause as Error).message}`,
      cause,
    });
  }
}

export function readInput(
  source: string,
  options: { format?: InputFormat; stdin?: Readable } = {},
): AsyncGenerator<InputLine> {
  const stream = source === '-' ? (options.stdin ?? process.stdin) : createReadStream(source);
  return formatOf(source, options.format) === 'csv' ? readCsv(stream) : readJsonl(stream);
}

/** The number of data lines of a file (for the ETA); undefined for stdin. */
export async function countItems(source: string, format?: InputFormat): Promise<number | undefined> {
  if (source === '-') return undefined;
  let count = 0;
  for await (const _ of readInput(source, format ? { format } : {})) count++;
  return count;
}
