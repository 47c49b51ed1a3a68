/**
 * The batch journal: what happened to each item, keyed by its idempotency key, so that a batch
 * can be re-run after a crash without buying twice or forgetting an order.
 *
 * States: `pending` (recorded, not sent yet) -> `sent` (a create may have reached the vendor) ->
 * `created` (the vendor answered; the operation token is recorded) -> `done` (the entitlement) or
 * `failed` (the error). The engine writes `sent` before the create request leaves and `created`
 * right after it returns, so a crash at any point leaves a record that says what to do next.
 *
 * The store is pluggable: anything implementing {@link BatchJournal}. Two come with the library:
 * {@link MemoryJournal} (not crash-safe: for tests and throwaway runs) and the SQLite journal in a
 * file (`openSqliteJournal`, sqlite-journal.ts).
 */

export const JOURNAL_STATES = ['pending', 'sent', 'created', 'done', 'failed'] as const;
export type JournalState = (typeof JOURNAL_STATES)[number];

export interface JournalRecord {
  key: string;
  vendor: string;
  /** SHA-256 hex of the item's canonical content (without its key). */
  digest: string;
  state: JournalState;
  /** The run that last wrote the record. */
  run: number;
  /** The item's position (1-based) in that run's input. */
  position: number;
  /** The operation token, once the create returned. */
  token?: string;
  /** The entitlement, as JSON, once done. */
  result?: Record<string, unknown>;
  /** The error, as `EntitlementError.toJSON()`, once failed. */
  error?: Record<string, unknown>;
  /** Requests sent for this item (creates and polls, retries included), over every run. */
  attempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

export interface JournalRun {
  run: number;
  startedAt: number;
  endedAt?: number;
  /** What the caller recorded about the run (the CLI: input file and options). */
  info?: Record<string, unknown>;
  /** How the run ended: `completed`, `interrupted`, `failed-fast` (`killed`: its process died). */
  outcome?: string;
  /** Its results: items read and their outcomes (bad input lines included, which have no record). */
  counts?: RunCounts;
}

export interface RunCounts {
  total: number;
  done: number;
  failed: number;
  interrupted: number;
}

export interface JournalStats {
  /** Item counts by state and vendor. */
  counts: { vendor: string; state: JournalState; count: number }[];
  runs: JournalRun[];
  updatedAt?: number;
}

/** A store for batch journals. Every method may be asynchronous (a remote store). */
export interface BatchJournal {
  /** Where the journal lives (a file path), for messages; absent in memory. */
  readonly location?: string;
  /** Starts a run and returns its number (1 for a new journal). Refuses a journal in use by a live run. */
  beginRun(info?: Record<string, unknown>): Promise<number>;
  /** Records how a run ended. */
  endRun(run: number, outcome: string, counts?: RunCounts): Promise<void>;
  get(key: string): Promise<JournalRecord | undefined>;
  /** Inserts or replaces the record of `record.key`; resolves once it is stored. */
  put(record: JournalRecord): Promise<void>;
  stats(): Promise<JournalStats>;
  /** Records in the given states, oldest first. */
  list(options?: { states?: readonly JournalState[]; limit?: number }): Promise<JournalRecord[]>;
  close(): Promise<void>;
}

/** A journal in memory: the same semantics, gone with the process. */
export class MemoryJournal implements BatchJournal {
  readonly #records = new Map<string, JournalRecord>();
  readonly #runs: JournalRun[] = [];
  #active: number | undefined;

  async beginRun(info?: Record<string, unknown>): Promise<number> {
    if (this.#active !== undefined)
      throw new Error(`the journal is in use by run ${this.#active}: one run at a time`);
    const run = this.#runs.length + 1;
    this.#runs.push({ run, startedAt: Date.now(), ...(info ? { info } : {}) });
    this.#active = run;
    return run;
  }

  async endRun(run: number, outcome: string, counts?: RunCounts): Promise<void> {
    const entry = this.#runs[run - 1];
    if (entry)
      Object.assign(entry, { endedAt: Date.now(), outcome, ...(counts ? { counts: { ...counts } } : {}) });
    if (this.#active === run) this.#active = undefined;
  }

  async get(key: string): Promise<JournalRecord | undefined> {
    const record = this.#records.get(key);
    return record && structuredClone(record);
  }

  async put(record: JournalRecord): Promise<void> {
    // Re-inserted so that the map keeps the order of last writes, like `updatedAt`.
    this.#records.delete(record.key);
    this.#records.set(record.key, structuredClone(record));
  }

  async stats(): Promise<JournalStats> {
    const counts = new Map<string, { vendor: string; state: JournalState; count: number }>();
    let updatedAt: number | undefined;
    for (const record of this.#records.values()) {
      const id = `${record.vendor}\u0000${record.state}`;
      const entry = counts.get(id) ?? { vendor: record.vendor, state: record.state, count: 0 };
      entry.count++;
      counts.set(id, entry);
      updatedAt = Math.max(updatedAt ?? 0, record.updatedAt);
    }
    return {
      counts: [...counts.values()],
      runs: this.#runs.map((run) => ({ ...run })),
      ...(updatedAt === undefined ? {} : { updatedAt }),
    };
  }

  async list(options: { states?: readonly JournalState[]; limit?: number } = {}): Promise<JournalRecord[]> {
    const result: JournalRecord[] = [];
    for (const record of this.#records.values()) {
      if (options.states && !options.states.includes(record.state)) continue;
      result.push(structuredClone(record));
      if (options.limit !== undefined && result.length >= options.limit) break;
    }
    return result;
  }

  async close(): Promise<void> {}
}
