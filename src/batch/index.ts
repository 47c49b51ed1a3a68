/**
 * Fleet work on one machine: many creates, paced at the vendors' quotas, recorded in a journal
 * (crash-safe with the SQLite journal), with per-item results and a summary.
 */
export { type CheckOptions, checkBatch, createBatch } from './batch.ts';
export { type BatchEntry, batchEntry, isBatchEntry } from './entries.ts';
export {
  type BatchItem,
  duplicateKeyError,
  type FleetMethod,
  type KeyedItem,
  keyConflictError,
  keyItem,
  type Quota,
  type VendorFleetTraits,
} from './items.ts';
export {
  type BatchJournal,
  JOURNAL_STATES,
  type JournalRecord,
  type JournalRun,
  type JournalState,
  type JournalStats,
  MemoryJournal,
} from './journal.ts';
export type { BucketStats } from './pacing.ts';
export { type ParsedRate, parseRate, perMinute, ratesToQuotas } from './rates.ts';
export { openSqliteJournal, type SqliteJournalOptions } from './sqlite-journal.ts';
export type * from './types.ts';
