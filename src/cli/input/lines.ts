/**
 * What the input readers yield: one entry per data line (or CSV record), with its line number, and
 * either the item or the error that makes the line unusable. Shared by `entitlements apply` and
 * `entitlements enqueue`.
 */
import { EntitlementError } from '../../core/errors.ts';

export type InputLine = GoodLine | BadLine;

export interface GoodLine {
  /** 1-based line number in the file (a CSV record: the line it starts on). */
  line: number;
  item: Record<string, unknown>;
  error?: undefined;
}

export interface BadLine {
  /** 1-based line number in the file (a CSV record: the line it starts on). */
  line: number;
  item?: undefined;
  /** invalid-argument, its message starting `line N: `, its details `{ line, field? }`. */
  error: EntitlementError;
}

export function badLine(line: number, message: string, field?: string): BadLine {
  return {
    line,
    error: new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'input',
      message: `line ${line}: ${message}`,
      details: [{ line, ...(field === undefined ? {} : { field }) }],
    }),
  };
}
