/**
 * What the input readers yield: one entry per data line (or CSV record), with its line number, and
 * either the item or the error that makes the line unusable. Shared by `entitlements apply` and
 * `entitlements enqueue`.
 */
import { EntitlementError } from '../../core/errors.ts';

export interface InputLine {
  /** 1-based line number in the file (a CSV record: the line it starts on). */
  line: number;
  item?: Record<string, unknown>;
  error?: EntitlementError;
}

export function badLine(line: number, message: string, field?: string): InputLine {
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
