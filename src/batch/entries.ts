/**
 * An input element that carries its own position (a line number) and, for input that could not be
 * read into an item (a line that is not JSON), the error to report there. The batch reports every
 * entry at its position; an entry with an error gets a failed result and nothing is sent for it.
 */
import type { EntitlementError } from '../core/errors.ts';

const ENTRY = Symbol.for('entitlement-provisioner.BatchEntry');

export interface BatchEntry {
  readonly position: number;
  readonly item?: unknown;
  readonly error?: EntitlementError;
}

export function batchEntry(
  position: number,
  content: { item: unknown } | { error: EntitlementError },
): BatchEntry {
  return Object.defineProperty({ position, ...content }, ENTRY, { value: true }) as BatchEntry;
}

export function isBatchEntry(value: unknown): value is BatchEntry {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ENTRY] === true;
}
