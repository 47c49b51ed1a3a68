/**
 * JSON Lines: one create request per line, as an object with its `vendor` (and an optional
 * `idempotencyKey`), exactly the library's batch item. Blank lines are skipped; a line that is not
 * a JSON object is reported with its number and the others go on. Streamed: one line at a time.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { badLine, type InputLine } from './lines.ts';

export async function* readJsonl(stream: Readable): AsyncGenerator<InputLine> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const text of lines) {
    number++;
    const trimmed = text.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      yield badLine(number, `not JSON (${(error as Error).message})`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield badLine(number, 'expected a JSON object: a create request with its "vendor"');
      continue;
    }
    yield { line: number, item: value as Record<string, unknown> };
  }
}
