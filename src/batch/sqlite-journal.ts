/**
 * The batch journal in an SQLite file, through `node:sqlite` (built into Node >= 22.13: no native
 * build, no download). WAL mode; every write is its own transaction and has reached the file (the
 * OS) when `put` resolves, so a killed process loses nothing. `synchronous: 'full'` also waits for
 * the disk, for power loss (each write then costs an fsync).
 *
 * One run at a time: a run records its process id, and a second run on the same file is refused
 * while that process lives (a run that was killed leaves a dead pid: the next run takes over).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { EntitlementError } from '../core/errors.ts';
import {
  type BatchJournal,
  JOURNAL_STATES,
  type JournalRecord,
  type JournalRun,
  type JournalState,
  type JournalStats,
  type RunCounts,
} from './journal.ts';

export interface SqliteJournalOptions {
  /** `normal` (default): safe when the process dies; `full`: also when the machine loses power. */
  synchronous?: 'normal' | 'full';
  /** Open an existing journal only (for `status`): a missing file is an error, nothing is created. */
  mustExist?: boolean;
}

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS runs (
  run INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  pid INTEGER,
  info TEXT,
  outcome TEXT,
  counts TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS items (
  key TEXT PRIMARY KEY,
  vendor TEXT NOT NULL,
  digest TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN (${JOURNAL_STATES.map((state) => `'${state}'`).join(', ')})),
  run INTEGER NOT NULL,
  position INTEGER NOT NULL,
  token TEXT,
  result TEXT,
  error TEXT,
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

interface Row {
  key: string;
  vendor: string;
  digest: string;
  state: JournalState;
  run: number;
  position: number;
  token: string | null;
  result: string | null;
  error: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
}

function toRecord(row: Row): JournalRecord {
  const record: JournalRecord = {
    key: row.key,
    vendor: row.vendor,
    digest: row.digest,
    state: row.state,
    run: row.run,
    position: row.position,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.token !== null) record.token = row.token;
  if (row.result !== null) record.result = JSON.parse(row.result) as Record<string, unknown>;
  if (row.error !== null) record.error = JSON.parse(row.error) as Record<string, unknown>;
  return record;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  try {
    return await import('node:sqlite');
  } catch (cause) {
    throw new EntitlementError({
      kind: 'failed-precondition',
      vendor: 'batch',
      message: `the batch journal needs node:sqlite, built into Node 22.13 and later (this is Node ${process.versions.node}): upgrade Node, or pass a journal of your own`,
      cause,
    });
  }
}

class SqliteJournal implements BatchJournal {
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  #run: number | undefined;

  constructor(db: DatabaseSync, location: string) {
    this.#db = db;
    this.location = location;
    this.#get = db.prepare('SELECT * FROM items WHERE key = ?');
    this.#put = db.prepare(
      `INSERT INTO items (key, vendor, digest, state, run, position, token, result, error, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET vendor = excluded.vendor, digest = excluded.digest, state = excluded.state,
         run = excluded.run, position = excluded.position, token = excluded.token, result = excluded.result,
         error = excluded.error, attempts = excluded.attempts, updated_at = excluded.updated_at`,
    );
  }

  async beginRun(info?: Record<string, unknown>): Promise<number> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const open = this.#db
        .prepare('SELECT run, pid FROM runs WHERE ended_at IS NULL AND pid IS NOT NULL')
        .all() as { run: number; pid: number }[];
      const live = open.find((entry) => alive(entry.pid));
      if (live) {
        throw new EntitlementError({
          kind: 'failed-precondition',
          vendor: 'batch',
          message: `the journal ${this.location} is in use by run ${live.run} (process ${live.pid}): one run per journal at a time; wait for it, or stop it`,
        });
      }
      const now = Date.now();
      for (const entry of open)
        this.#db
          .prepare("UPDATE runs SET ended_at = ?, outcome = 'killed' WHERE run = ?")
          .run(now, entry.run);
      const result = this.#db
        .prepare('INSERT INTO runs (started_at, pid, info) VALUES (?, ?, ?)')
        .run(now, process.pid, info ? JSON.stringify(info) : null);
      this.#db.exec('COMMIT');
      this.#run = Number(result.lastInsertRowid);
      return this.#run;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async endRun(run: number, outcome: string, counts?: RunCounts): Promise<void> {
    this.#db
      .prepare('UPDATE runs SET ended_at = ?, outcome = ?, counts = ? WHERE run = ?')
      .run(Date.now(), outcome, counts ? JSON.stringify(counts) : null, run);
    if (this.#run === run) this.#run = undefined;
  }

  async get(key: string): Promise<JournalRecord | undefined> {
    const row = this.#get.get(key) as Row | undefined;
    return row && toRecord(row);
  }

  async put(record: JournalRecord): Promise<void> {
    this.#put.run(
      record.key,
      record.vendor,
      record.digest,
      record.state,
      record.run,
      record.position,
      record.token ?? null,
      record.result === undefined ? null : JSON.stringify(record.result),
      record.error === undefined ? null : JSON.stringify(record.error),
      record.attempts,
      record.createdAt,
      record.updatedAt,
    );
  }

  async stats(): Promise<JournalStats> {
    const counts = this.#db
      .prepare(
        'SELECT vendor, state, COUNT(*) AS count FROM items GROUP BY vendor, state ORDER BY vendor, state',
      )
      .all() as { vendor: string; state: JournalState; count: number }[];
    const runs = (
      this.#db.prepare('SELECT * FROM runs ORDER BY run').all() as {
        run: number;
        started_at: number;
        ended_at: number | null;
        info: string | null;
        outcome: string | null;
        counts: string | null;
      }[]
    ).map((row) => {
      const run: JournalRun = { run: row.run, startedAt: row.started_at };
      if (row.ended_at !== null) run.endedAt = row.ended_at;
      if (row.info !== null) run.info = JSON.parse(row.info) as Record<string, unknown>;
      if (row.outcome !== null) run.outcome = row.outcome;
      if (row.counts !== null) run.counts = JSON.parse(row.counts) as RunCounts;
      return run;
    });
    const last = this.#db.prepare('SELECT MAX(updated_at) AS at FROM items').get() as { at: number | null };
    return {
      counts: counts.map((row) => ({ vendor: row.vendor, state: row.state, count: Number(row.count) })),
      runs,
      ...(last.at === null ? {} : { updatedAt: last.at }),
    };
  }

  async list(options: { states?: readonly JournalState[]; limit?: number } = {}): Promise<JournalRecord[]> {
    const states = options.states ?? JOURNAL_STATES;
    const placeholders = states.map(() => '?').join(', ');
    const rows = this.#db
      .prepare(`SELECT * FROM items WHERE state IN (${placeholders}) ORDER BY updated_at, key LIMIT ?`)
      .all(...states, options.limit ?? -1) as unknown as Row[];
    return rows.map(toRecord);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Opens (or creates) the journal in `path`. */
export async function openSqliteJournal(
  path: string,
  options: SqliteJournalOptions = {},
): Promise<BatchJournal> {
  if (typeof path !== 'string' || path.length === 0)
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'batch',
      message: 'journal must be a file path',
    });
  const synchronous = options.synchronous ?? 'normal';
  if (synchronous !== 'normal' && synchronous !== 'full')
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'batch',
      message: `journal synchronous must be "normal" or "full", got ${JSON.stringify(synchronous)}`,
    });
  const { DatabaseSync } = await loadSqlite();
  const location = resolve(path);
  if (options.mustExist && !existsSync(location))
    throw new EntitlementError({
      kind: 'not-found',
      vendor: 'batch',
      message: `there is no journal at ${location}: check the path (apply prints it when it starts)`,
    });
  mkdirSync(dirname(location), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(location);
  } catch (cause) {
    throw new EntitlementError({
      kind: options.mustExist ? 'not-found' : 'failed-precondition',
      vendor: 'batch',
      message: `cannot open the journal ${location}: ${(cause as Error).message}`,
      cause,
    });
  }
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    const version = db.prepare("SELECT value FROM meta WHERE name = 'schema'").get() as
      | { value: string }
      | undefined;
    if (version === undefined)
      db.prepare("INSERT INTO meta (name, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    else if (version.value !== SCHEMA_VERSION)
      throw new EntitlementError({
        kind: 'failed-precondition',
        vendor: 'batch',
        message: `the journal ${location} has format ${version.value}; this version reads format ${SCHEMA_VERSION}`,
      });
  } catch (error) {
    db.close();
    if (error instanceof EntitlementError) throw error;
    throw new EntitlementError({
      kind: 'failed-precondition',
      vendor: 'batch',
      message: `${location} is not a batch journal: ${(error as Error).message}`,
      cause: error,
    });
  }
  return new SqliteJournal(db, location);
}
