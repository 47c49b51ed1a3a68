/**
 * The batch engine: reads items one at a time, keys and checks each, consults the journal, then
 * creates and waits for it through the dispatcher (quota buckets, concurrency, the shared poll
 * scheduler), writing the journal at each step, and hands out one result per item.
 *
 * The path of one item:
 * 1. admission (in input order, one at a time): key and digest (`keyItem`), vendor and request
 *    checks (nothing is sent for a bad item), the journal record: the same key earlier in this run
 *    is a duplicate, other content under the key is a conflict, `done` is reported from the
 *    journal; otherwise the record is (re)written for this run;
 * 2. create: `sent` is written just before the request leaves, the token right after it returns;
 *    an item the journal has `created` (or failed while still running) is resumed from its token,
 *    one `sent` or `pending` is sent again with the same key (the vendor dedupes);
 * 3. wait: polls through the vendor's poll bucket on the operation's own schedule, until done or
 *    the operation's deadline (then `deadline-exceeded`, with the token);
 * 4. `done` with the entitlement, or `failed` with the error.
 * Every request is sent with `maxRetries: 0`: retries are the item's, each one through the bucket.
 */
import type { IBackoff } from 'cockatiel';
import { loadBackoff } from '../core/backoff.ts';
import { EntitlementError } from '../core/errors.ts';
import { resolvePolling } from '../core/operation.ts';
import type { Entitlement, ProvisioningOperation } from '../core/types.ts';
import { Dispatcher } from './dispatcher.ts';
import { isBatchEntry } from './entries.ts';
import { duplicateKeyError, type FleetMethod, type KeyedItem, keyConflictError, keyItem } from './items.ts';
import { type BatchJournal, type JournalRecord, MemoryJournal } from './journal.ts';
import { DEFAULTS, invalid, type Settings } from './options.ts';
import { AdaptiveBucket } from './pacing.ts';
import {
  asEntitlementError,
  entitlementFromJson,
  entitlementToJson,
  errorFromJson,
  errorToJson,
} from './records.ts';
import { ResultChannel } from './result-channel.ts';
import type {
  BatchItemResult,
  BatchOptions,
  BatchProgress,
  BatchProvisioner,
  BatchSummary,
  OutcomeCounts,
} from './types.ts';

/** How an item stands while the engine works on it. */
interface Work {
  position: number;
  keyed: KeyedItem;
  vendor: string;
  record: JournalRecord;
  /** Whether the journal had the item from an earlier run (to resume or re-send). */
  resumeToken?: string;
  started: number;
  attempts: number;
  retries: number;
  backoff?: IBackoff<unknown>;
}

function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number;
}

export class BatchEngine {
  readonly #target: BatchProvisioner;
  readonly #items: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #options: BatchOptions;
  readonly #settings: Settings;
  readonly #results = new ResultChannel(1024);
  readonly #stop = new AbortController();
  readonly #buckets = new Map<string, AdaptiveBucket>();
  readonly #validators = new Map<string, Promise<((request: Record<string, unknown>) => void) | undefined>>();
  readonly #dispatcher: Dispatcher;
  readonly #counts = { read: 0, done: 0, failed: 0, interrupted: 0, fromJournal: 0 };
  readonly #byVendor: Record<string, OutcomeCounts> = {};
  readonly #byErrorKind: BatchSummary['byErrorKind'] = {};
  readonly #durations: number[] = [];
  #creating = 0;
  #waiting = 0;
  #active = 0;
  #idle: (() => void) | undefined;
  #room: (() => void) | undefined;
  #stopped: BatchSummary['stopped'];
  #journal: BatchJournal | undefined;
  #run = 0;
  #started = 0;
  #finished = false;
  #summary: Promise<BatchSummary> | undefined;

  constructor(
    target: BatchProvisioner,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    options: BatchOptions,
    settings: Settings,
  ) {
    this.#target = target;
    this.#items = items;
    this.#options = options;
    this.#settings = settings;
    this.#dispatcher = new Dispatcher(settings.concurrency);
  }

  /** Starts the batch (once); resolves with the summary. */
  start(): Promise<BatchSummary> {
    this.#summary ??= this.#main();
    return this.#summary;
  }

  next(): Promise<IteratorResult<BatchItemResult>> {
    void this.start().catch(() => undefined);
    return this.#results.next();
  }

  /**
   * The consumer stopped iterating (`break` in `for await`): the batch stops as on abort, what is
   * in flight is recorded, and the results nobody will read are drained so that it can end.
   */
  async abandon(): Promise<void> {
    if (!this.#summary) return;
    this.#halt('aborted');
    for (;;) {
      const next = await this.#results.next().catch(() => ({ done: true }));
      if (next.done) break;
    }
    await this.#summary.catch(() => undefined);
  }

  progress(): BatchProgress {
    const now = this.#dispatcher.now();
    return {
      read: this.#counts.read,
      done: this.#counts.done,
      failed: this.#counts.failed,
      interrupted: this.#counts.interrupted,
      fromJournal: this.#counts.fromJournal,
      creating: this.#creating,
      waiting: this.#waiting,
      inFlight: this.#dispatcher.running,
      buckets: [...this.#buckets.values()].map((bucket) => bucket.stats(now)),
      elapsedMs: this.#started === 0 ? 0 : now - this.#started,
      finished: this.#finished,
    };
  }

  // -------------------------------------------------------------------------------------------

  async #main(): Promise<BatchSummary> {
    this.#started = this.#dispatcher.now();
    const external = this.#options.signal;
    const onAbort = () => this.#halt('aborted');
    external?.addEventListener('abort', onAbort, { once: true });
    let failure: { error: unknown } | undefined;
    try {
      this.#journal = await this.#openJournal();
      this.#run = await this.#journal.beginRun(this.#options.runInfo);
      if (external?.aborted) this.#halt('aborted');
      await this.#readAll();
      await this.#allSettled();
    } catch (error) {
      failure = { error };
      this.#halt('aborted');
      await this.#allSettled();
    } finally {
      external?.removeEventListener('abort', onAbort);
      this.#dispatcher.close(
        new EntitlementError({ kind: 'cancelled', vendor: 'batch', message: 'the batch ended' }),
      );
    }
    try {
      if (this.#journal && this.#run > 0)
        await this.#journal.endRun(
          this.#run,
          failure
            ? 'error'
            : this.#stopped === undefined
              ? 'completed'
              : this.#stopped === 'aborted'
                ? 'interrupted'
                : 'failed-fast',
          {
            total: this.#counts.read,
            done: this.#counts.done,
            failed: this.#counts.failed,
            interrupted: this.#counts.interrupted,
          },
        );
      if (this.#journal && typeof this.#options.journal !== 'object') await this.#journal.close();
    } catch (error) {
      failure ??= { error };
    }
    this.#finished = true;
    const summary = this.#summarise();
    this.#results.close(failure);
    if (failure) throw failure.error;
    return summary;
  }

  async #openJournal(): Promise<BatchJournal> {
    const journal = this.#options.journal;
    if (journal === undefined) return new MemoryJournal();
    if (typeof journal === 'string') {
      const { openSqliteJournal } = await import('./sqlite-journal.ts');
      return openSqliteJournal(journal, { synchronous: this.#options.journalSynchronous ?? 'normal' });
    }
    if (typeof journal !== 'object' || journal === null || typeof journal.get !== 'function')
      throw invalid('journal must be a file path or a BatchJournal');
    return journal;
  }

  #halt(reason: NonNullable<BatchSummary['stopped']>): void {
    if (this.#stop.signal.aborted) return;
    this.#stopped = reason;
    this.#stop.abort(
      new EntitlementError({
        kind: 'cancelled',
        vendor: 'batch',
        message:
          reason === 'fail-fast'
            ? 'the batch stopped at its first failure (failFast)'
            : 'the batch was stopped',
      }),
    );
    this.#room?.();
    this.#results.wake();
  }

  #allSettled(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  /** Resolves when another item may be admitted (or the batch stops). */
  async #admissionRoom(): Promise<void> {
    for (;;) {
      if (this.#stop.signal.aborted) return;
      if (this.#results.full) {
        await this.#results.room();
        continue;
      }
      const window = this.#settings.concurrency * 2;
      if (this.#creating < window && this.#waiting < this.#settings.maxPending) return;
      await new Promise<void>((resolve) => {
        this.#room = resolve;
      });
      this.#room = undefined;
    }
  }

  #changed(): void {
    const room = this.#room;
    if (room) {
      this.#room = undefined;
      room();
    }
  }

  async #readAll(): Promise<void> {
    const source = this.#items as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    if (
      source === null ||
      typeof source !== 'object' ||
      (!source[Symbol.asyncIterator] && !source[Symbol.iterator])
    )
      throw invalid('items must be an iterable or an async iterable of create requests');
    const iterator: Iterator<unknown> | AsyncIterator<unknown> = source[Symbol.asyncIterator]
      ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (source as Iterable<unknown>)[Symbol.iterator]();
    let position = 0;
    try {
      for (;;) {
        await this.#admissionRoom();
        if (this.#stop.signal.aborted) break;
        const next = await iterator.next();
        if (next.done) break;
        position++;
        this.#counts.read++;
        let value = next.value;
        let at = position;
        if (isBatchEntry(value)) {
          at = value.position;
          if (value.error) {
            this.#emit({ outcome: 'failed', position: at, error: value.error, attempts: 0, durationMs: 0 });
            continue;
          }
          value = value.item;
        }
        await this.#admit(value, at);
      }
    } finally {
      if (this.#stop.signal.aborted) await iterator.return?.();
    }
  }

  async #validator(vendor: string): Promise<((request: Record<string, unknown>) => void) | undefined> {
    let loaded = this.#validators.get(vendor);
    if (!loaded) {
      const load = this.#settings.traits[vendor]?.loadValidator;
      loaded = load ? load() : Promise.resolve(undefined);
      this.#validators.set(vendor, loaded);
    }
    return loaded;
  }

  #bucket(vendor: string, method: FleetMethod): AdaptiveBucket {
    const name = `${vendor}:${method}`;
    let bucket = this.#buckets.get(name);
    if (!bucket) {
      const configured = this.#settings.quotas[vendor]?.[method];
      const published = this.#settings.traits[vendor]?.quotas?.[method];
      const quota = configured ?? published ?? this.#settings.defaultRate;
      bucket = new AdaptiveBucket({
        vendor,
        method,
        quota,
        published: configured !== undefined || published !== undefined,
        utilisation: this.#settings.utilisation,
      });
      this.#buckets.set(name, bucket);
    }
    return bucket;
  }

  /** Step 1, in input order. */
  async #admit(value: unknown, position: number): Promise<void> {
    const started = this.#dispatcher.now();
    const vendorOf = (value as { vendor?: unknown } | null)?.vendor;
    const guessed = typeof vendorOf === 'string' ? vendorOf : undefined;
    const fail = (error: EntitlementError, key?: string) =>
      this.#emit({
        outcome: 'failed',
        position,
        ...(key === undefined ? {} : { key }),
        ...(guessed === undefined ? {} : { vendor: guessed }),
        error,
        attempts: 0,
        durationMs: this.#dispatcher.now() - started,
      });
    let keyed: KeyedItem;
    try {
      keyed = keyItem(value, this.#settings.traits[guessed ?? '']);
      const vendors = this.#target.vendors;
      if (vendors && !vendors.includes(keyed.request.vendor))
        throw invalid(
          `${this.#settings.label} ${position} names vendor ${JSON.stringify(keyed.request.vendor)}; this provisioner handles ${vendors.map((v) => `"${v}"`).join(', ')}`,
          keyed.request.vendor,
        );
      const validate = await this.#validator(keyed.request.vendor);
      validate?.(keyed.request);
    } catch (error) {
      return fail(asEntitlementError(error, guessed ?? 'batch'));
    }
    const { key, digest } = keyed;
    const vendor = keyed.request.vendor;
    const journal = this.#journal as BatchJournal;
    const previous = await journal.get(key);
    if (previous?.run === this.#run)
      return fail(this.#labelled(duplicateKeyError(key, vendor, previous.position, position)), key);
    if (previous && previous.digest !== digest)
      return fail(keyConflictError(key, vendor, previous.digest, digest), key);
    const now = Date.now();
    const record: JournalRecord = previous
      ? { ...previous, run: this.#run, position, updatedAt: now }
      : {
          key,
          vendor,
          digest,
          state: 'pending',
          run: this.#run,
          position,
          attempts: 0,
          createdAt: now,
          updatedAt: now,
        };
    await journal.put(record);
    if (previous?.state === 'done' && previous.result) {
      this.#counts.fromJournal++;
      return this.#emit({
        outcome: 'done',
        position,
        key,
        vendor,
        ...(previous.token === undefined ? {} : { token: previous.token }),
        entitlement: entitlementFromJson(previous.result),
        fromJournal: true,
        attempts: 0,
        durationMs: this.#dispatcher.now() - started,
      });
    }
    const work: Work = { position, keyed, vendor, record, started, attempts: 0, retries: 0 };
    const resumable =
      previous?.token !== undefined &&
      (previous.state === 'created' ||
        (previous.state === 'failed' &&
          previous.error !== undefined &&
          errorFromJson(previous.error).retryable));
    if (resumable) work.resumeToken = previous.token;
    this.#active++;
    this.#creating++;
    this.#process(work).then(
      (result) => this.#finish(result),
      (error) => this.#finish(this.#failed(work, asEntitlementError(error, vendor))),
    );
  }

  #labelled(error: EntitlementError): EntitlementError {
    if (this.#settings.label === 'item') return error;
    return error.with({ message: error.message.replaceAll('item ', `${this.#settings.label} `) });
  }

  #finish(result: BatchItemResult): void {
    this.#emit(result);
    this.#active--;
    this.#changed();
    if (this.#active === 0) this.#idle?.();
  }

  #emit(result: BatchItemResult): void {
    this.#counts[result.outcome]++;
    const vendor = result.vendor ?? 'unknown';
    const counts = this.#byVendor[vendor] ?? { done: 0, failed: 0, interrupted: 0 };
    this.#byVendor[vendor] = counts;
    counts[result.outcome]++;
    if (result.outcome === 'failed')
      this.#byErrorKind[result.error.kind] = (this.#byErrorKind[result.error.kind] ?? 0) + 1;
    if (!(result.outcome === 'done' && result.fromJournal)) this.#durations.push(result.durationMs);
    this.#results.push(result);
    if (result.outcome === 'failed' && this.#settings.failFast) this.#halt('fail-fast');
  }

  #failed(work: Work, error: EntitlementError): BatchItemResult {
    const token = error.token ?? work.record.token;
    return {
      outcome: 'failed',
      position: work.position,
      key: work.keyed.key,
      vendor: work.vendor,
      ...(token === undefined ? {} : { token }),
      error,
      attempts: work.attempts,
      durationMs: this.#dispatcher.now() - work.started,
    };
  }

  async #write(work: Work, changes: Partial<JournalRecord>): Promise<void> {
    Object.assign(work.record, changes, { updatedAt: Date.now() });
    await (this.#journal as BatchJournal).put(work.record);
  }

  /** Steps 2 to 4. */
  async #process(work: Work): Promise<BatchItemResult> {
    let creating = true;
    const leaveCreating = () => {
      if (!creating) return;
      creating = false;
      this.#creating--;
      this.#changed();
    };
    try {
      const operation = work.resumeToken
        ? await this.#target.resume(work.resumeToken, this.#callOptions())
        : await this.#create(work);
      leaveCreating();
      let entitlement: Entitlement | undefined = operation.status.entitlement;
      if (!operation.done) {
        this.#waiting++;
        try {
          entitlement = await this.#wait(work, operation);
        } finally {
          this.#waiting--;
          this.#changed();
        }
      }
      if (!entitlement)
        throw new EntitlementError({
          kind: 'internal',
          vendor: work.vendor,
          token: operation.token,
          message: 'the operation finished without an entitlement',
        });
      await this.#write(work, {
        state: 'done',
        token: operation.token,
        result: entitlementToJson(entitlement),
      });
      return {
        outcome: 'done',
        position: work.position,
        key: work.keyed.key,
        vendor: work.vendor,
        token: operation.token,
        entitlement,
        fromJournal: false,
        attempts: work.attempts,
        durationMs: this.#dispatcher.now() - work.started,
      };
    } catch (thrown) {
      leaveCreating();
      const error = asEntitlementError(thrown, work.vendor);
      if (this.#stop.signal.aborted) {
        return {
          outcome: 'interrupted',
          position: work.position,
          key: work.keyed.key,
          vendor: work.vendor,
          state: work.record.state,
          ...(work.record.token === undefined ? {} : { token: work.record.token }),
          attempts: work.attempts,
          durationMs: this.#dispatcher.now() - work.started,
        };
      }
      const token = error.token ?? work.record.token;
      await this.#write(work, {
        state: 'failed',
        error: errorToJson(error),
        ...(token === undefined ? {} : { token }),
      });
      return this.#failed(work, error);
    }
  }

  #callOptions(): { signal: AbortSignal; maxRetries: 0; timeoutMs?: number } {
    return {
      signal: this.#stop.signal,
      maxRetries: 0,
      ...(this.#settings.requestTimeoutMs === undefined
        ? {}
        : { timeoutMs: this.#settings.requestTimeoutMs }),
    };
  }

  /**
   * One request through `bucket`, with the item's retry budget: a retryable failure waits its
   * backoff (at least the vendor's Retry-After) and goes through the bucket again.
   */
  async #request<T>(work: Work, method: FleetMethod, due: number, send: () => Promise<T>): Promise<T> {
    const bucket = this.#bucket(work.vendor, method);
    const traits = this.#settings.traits[work.vendor];
    for (;;) {
      try {
        return await this.#dispatcher.schedule(
          bucket,
          due,
          async () => {
            work.attempts++;
            work.record.attempts++;
            return send();
          },
          this.#stop.signal,
        );
      } catch (thrown) {
        const error = asEntitlementError(thrown, work.vendor);
        const now = this.#dispatcher.now();
        if (error.kind === 'rate-limited' || traits?.isRateLimited?.(error) === true)
          bucket.rateLimited(now, error.retryAfterMs);
        if (this.#stop.signal.aborted || !error.retryable || work.retries >= this.#settings.maxRetries)
          throw error;
        work.retries++;
        if (work.backoff) work.backoff = work.backoff.next(undefined);
        else {
          const { ExponentialBackoff } = await loadBackoff();
          work.backoff = new ExponentialBackoff({
            initialDelay: this.#settings.initialDelayMs,
            maxDelay: this.#settings.maxDelayMs,
          }).next();
        }
        due = now + Math.max(work.backoff.duration, error.retryAfterMs ?? 0);
      }
    }
  }

  async #create(work: Work): Promise<ProvisioningOperation> {
    return this.#request(work, 'create', this.#dispatcher.now(), async () => {
      // Recorded before it is sent...
      if (work.record.state === 'pending' || work.record.state === 'failed')
        await this.#write(work, { state: 'sent' });
      const operation = await this.#target.create(work.keyed.request, {
        ...this.#callOptions(),
        idempotencyKey: work.keyed.key,
      });
      // ...and the token right after the create returns.
      await this.#write(work, { state: 'created', token: operation.token });
      return operation;
    });
  }

  async #wait(work: Work, operation: ProvisioningOperation): Promise<Entitlement | undefined> {
    const traits = this.#settings.traits[work.vendor];
    const polling = resolvePolling(traits?.polling, this.#settings.polling);
    const timeoutMs = this.#settings.waitTimeoutMs ?? traits?.waitTimeoutMs ?? DEFAULTS.waitTimeoutMs;
    const deadline = this.#dispatcher.now() + timeoutMs;
    let delay = polling.initialDelayMs;
    for (;;) {
      const now = this.#dispatcher.now();
      if (now >= deadline) {
        throw new EntitlementError({
          kind: 'deadline-exceeded',
          vendor: work.vendor,
          token: operation.token,
          retryable: true,
          message: `the operation was still running after ${timeoutMs} ms; it has not failed and may still complete: run the batch again with the same journal to resume it`,
        });
      }
      const status = await this.#request(work, 'poll', Math.min(now + delay, deadline), () =>
        operation.poll(this.#callOptions()),
      );
      if (status.done) return status.entitlement;
      delay = Math.min(polling.maxDelayMs, Math.max(delay * polling.multiplier, 1));
    }
  }

  #summarise(): BatchSummary {
    const now = this.#dispatcher.now();
    const sorted = this.#durations.sort((a, b) => a - b);
    const summary: BatchSummary = {
      total: this.#counts.read,
      done: this.#counts.done,
      failed: this.#counts.failed,
      interrupted: this.#counts.interrupted,
      fromJournal: this.#counts.fromJournal,
      byVendor: this.#byVendor,
      byErrorKind: this.#byErrorKind,
      durationMs: now - this.#started,
      itemDurationMs: {
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted[sorted.length - 1] ?? 0,
      },
      buckets: [...this.#buckets.values()].map((bucket) => bucket.stats(now)),
      run: this.#run,
    };
    if (this.#stopped) summary.stopped = this.#stopped;
    if (this.#journal?.location) summary.journal = this.#journal.location;
    return summary;
  }
}
