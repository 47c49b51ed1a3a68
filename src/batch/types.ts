/** The batch API's public types. */
import type { EntitlementError, ErrorKind } from '../core/errors.ts';
import type {
  CallOptions,
  Entitlement,
  PollingOptions,
  ProvisioningOperation,
  ResumeOptions,
} from '../core/types.ts';
import type { FleetMethod, Quota, VendorFleetTraits } from './items.ts';
import type { BatchJournal, JournalState } from './journal.ts';
import type { BucketStats } from './pacing.ts';

/** What a batch needs of a provisioner: create and resume, for every vendor its items name. */
export interface BatchProvisioner {
  // biome-ignore lint/suspicious/noExplicitAny: any vendor's create request
  create(request: any, options?: CallOptions): Promise<ProvisioningOperation>;
  resume(token: string, options?: ResumeOptions): Promise<ProvisioningOperation>;
  /** The vendors it routes to (the facade's `vendors`); items of other vendors fail before anything is sent. */
  readonly vendors?: readonly string[];
}

/** Per-item retries of retryable failures (creates and polls share the budget). */
export interface BatchRetryOptions {
  /** Retries per item after its first request (default 5). */
  maxRetries?: number;
  /** First backoff, in milliseconds (default 500); grows x2 with jitter. */
  initialDelayMs?: number;
  /** Longest backoff, in milliseconds (default 30 s). A vendor's Retry-After is a floor on top. */
  maxDelayMs?: number;
}

export interface BatchOptions {
  /**
   * Where the batch records each item: a file path (an SQLite journal, created when missing) or a
   * journal of your own. Default: in memory (not crash-safe: a re-run cannot skip what was done).
   */
  journal?: string | BatchJournal;
  /** SQLite journal only: `full` waits for the disk on every write (power loss); default `normal`. */
  journalSynchronous?: 'normal' | 'full';
  /** Recorded with the run in the journal (the CLI records its input and options). */
  runInfo?: Record<string, unknown>;
  /** Requests in flight at once, over every vendor and method (default 16). */
  concurrency?: number;
  /**
   * Quotas per vendor and method, replacing the vendors' published figures, e.g.
   * `{ 'google-channel': { create: { limit: 60, intervalMs: 60_000 } } }`.
   */
  quotas?: Record<string, Partial<Record<FleetMethod, Quota>>>;
  /** The starting rate of buckets without a published quota (default 600 per minute). */
  defaultRate?: Quota;
  /** Share of a published quota the batch uses (default 0.97, at most 1). */
  utilisation?: number;
  retry?: BatchRetryOptions;
  /** Polling schedule of pending operations (default: the vendor's, else 1 s, x1.5, at most 30 s). */
  polling?: PollingOptions;
  /** How long to wait for each operation, in milliseconds (default: the vendor's, else 30 min). */
  waitTimeoutMs?: number;
  /** Timeout of each request, in milliseconds (default: the adapter's). */
  requestTimeoutMs?: number;
  /** Operations waiting at once; reading the input pauses above it (default 1000). */
  maxPending?: number;
  /** Stop at the first failed item (what is in flight is recorded and reported as interrupted). */
  failFast?: boolean;
  /** Stops the batch cleanly: nothing new starts, what is in flight is recorded and reported as interrupted. */
  signal?: AbortSignal;
  /** Fleet traits per vendor (the facade passes the built-in vendors'); these win. */
  traits?: Record<string, VendorFleetTraits>;
  /** How errors name an item's position: `item 3` (default) or `line 3` (input files). */
  positionLabel?: string;
}

interface ResultBase {
  /** The item's position in the input (1-based), or the position its entry gave. */
  position: number;
  /** The item's idempotency key (absent when the item could not be keyed). */
  key?: string;
  vendor?: string;
  /** The operation token, once the create returned. */
  token?: string;
  /** Requests sent for the item in this run (creates and polls, retries included). */
  attempts: number;
  /** From admission to the result, in milliseconds. */
  durationMs: number;
}

export interface BatchDone extends ResultBase {
  outcome: 'done';
  key: string;
  vendor: string;
  entitlement: Entitlement;
  /** True when the journal already had the item done: nothing was sent for it. */
  fromJournal: boolean;
}

export interface BatchFailed extends ResultBase {
  outcome: 'failed';
  error: EntitlementError;
}

/** The batch stopped (abort, failFast) while the item was in flight; the journal has where it stands. */
export interface BatchInterrupted extends ResultBase {
  outcome: 'interrupted';
  key: string;
  vendor: string;
  state: JournalState;
}

export type BatchItemResult = BatchDone | BatchFailed | BatchInterrupted;

export interface OutcomeCounts {
  done: number;
  failed: number;
  interrupted: number;
}

export interface BatchSummary extends OutcomeCounts {
  /** Items read from the input. */
  total: number;
  /** Done items the journal already had. */
  fromJournal: number;
  byVendor: Record<string, OutcomeCounts>;
  byErrorKind: Partial<Record<ErrorKind, number>>;
  /** Why the batch stopped early, if it did. */
  stopped?: 'aborted' | 'fail-fast';
  durationMs: number;
  /** Per-item durations of the items that got a result in this run (journal skips excluded). */
  itemDurationMs: { p50: number; p99: number; max: number };
  /** Requests per bucket. */
  buckets: BucketStats[];
  /** The run's number in the journal, and the journal's file when it has one. */
  run: number;
  journal?: string;
}

export interface BatchProgress extends OutcomeCounts {
  read: number;
  fromJournal: number;
  /** Items admitted and not created yet. */
  creating: number;
  /** Operations created and not done yet. */
  waiting: number;
  /** Requests in flight now. */
  inFlight: number;
  buckets: BucketStats[];
  elapsedMs: number;
  finished: boolean;
}

/** A running batch: iterate it for per-item results as they finish. */
export interface BatchRun extends AsyncIterable<BatchItemResult> {
  /** Resolves with the summary once the batch has ended (drains the results if nobody iterates them). */
  done(): Promise<BatchSummary>;
  /** Where the batch stands now. */
  progress(): BatchProgress;
}

/** One result of {@link checkBatch}: an item that would be sent, or why it would not. */
export interface BatchCheck {
  position: number;
  key?: string;
  vendor?: string;
  error?: EntitlementError;
}
