/**
 * The producer: one BullMQ job per item, in its vendor's item queue, with the job id derived from
 * the item's key. Re-enqueueing an item is a no-op while its job lives (the dedupe horizon,
 * `horizonMs`: finished jobs are kept that long); other content under a key whose job lives is
 * refused as a conflict. `result()` waits for an item's end through QueueEvents.
 */
import { randomUUID } from 'node:crypto';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { type KeyedItem, keyItem } from '../batch/items.ts';
import { EntitlementError, isEntitlementError } from '../core/errors.ts';
import { assertReachable, bullConnection } from './connection.ts';
import {
  errorFromReason,
  ITEM_JOB,
  type ItemJobData,
  type ItemJobReturn,
  JOB_DATA_VERSION,
  type PollJobData,
  type QueueResult,
} from './jobs.ts';
import { loadQueueModules, type QueueModules } from './modules.ts';
import { checkVendor, itemQueueName, jobIdForKey, pollQueueName } from './names.ts';
import {
  checkDuration,
  checkPositiveInteger,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_HORIZON_MS,
  invalid,
  type QueueBaseOptions,
  type ResolvedBase,
  resolveBase,
} from './options.ts';
import { traitsFor } from './traits.ts';

export interface ProducerOptions extends QueueBaseOptions {
  /**
   * How long finished jobs (done or failed) stay in Redis, in milliseconds; while a job stays, its
   * key is deduplicated (re-enqueueing is a no-op). Default 7 days. Past it, an item enqueued again
   * is created again with the same key, and the vendor's own dedupe decides (Confluent: by
   * external_id, for good; Cloud Channel: by request id, for the vendor's own horizon).
   */
  horizonMs?: number;
  /** Tries per job for retryable failures, the first included. Default 5. */
  attempts?: number;
  /** First pause before a retry, doubling each time, in milliseconds. Default 1000. */
  backoffMs?: number;
}

export interface ResultOptions {
  signal?: AbortSignal;
  /** Give up waiting (with `deadline-exceeded`) after this many milliseconds; the job goes on. */
  timeoutMs?: number;
}

/** Where an item stands. */
export type ItemState = 'waiting' | 'active' | 'delayed' | 'polling' | 'done' | 'failed' | 'unknown';

/** An item in the queue. */
export interface QueuedItem {
  readonly vendor: string;
  readonly key: string;
  readonly jobId: string;
  /** Waits for the item's entitlement; rejects with its EntitlementError when its job failed. */
  result(options?: ResultOptions): Promise<QueueResult>;
  /** Where the item stands now (`unknown`: no job, never enqueued or past the horizon). */
  state(): Promise<ItemState>;
}

export type EnqueueOutcome =
  | (QueuedItem & {
      /** `added`: a new job; `existing`: the same item was already queued (a no-op). */
      readonly outcome: 'added' | 'existing';
      /** The item's position in the input (0-based). */
      readonly index: number;
    })
  | {
      readonly outcome: 'refused';
      readonly index: number;
      readonly vendor?: string;
      readonly key?: string;
      /** `invalid-argument` (not an item), or `already-exists` (other content under a queued key). */
      readonly error: EntitlementError;
    };

export interface EnqueueReport {
  readonly items: readonly EnqueueOutcome[];
  readonly added: number;
  readonly existing: number;
  readonly refused: number;
}

export interface Producer extends AsyncDisposable {
  /** Queues items (an iterable or async iterable: streamed in chunks). Never throws for one bad item: it is `refused`. */
  enqueue(items: Iterable<unknown> | AsyncIterable<unknown>): Promise<EnqueueReport>;
  /** The handle of an item by vendor and key (to follow an item enqueued elsewhere). */
  item(vendor: string, key: string): QueuedItem;
  close(): Promise<void>;
}

const CHUNK = 200;

interface Resolved extends ResolvedBase {
  horizonMs: number;
  attempts: number;
  backoffMs: number;
}

function resolve(options: ProducerOptions): Resolved {
  const base = resolveBase(options, 'producer');
  return {
    ...base,
    horizonMs: checkDuration(options.horizonMs ?? DEFAULT_HORIZON_MS, 'horizonMs', 1_000),
    attempts: checkPositiveInteger(options.attempts ?? DEFAULT_ATTEMPTS, 'attempts'),
    backoffMs: checkDuration(options.backoffMs ?? DEFAULT_BACKOFF_MS, 'backoffMs', 0),
  };
}

/** The job options of an item (and, copied from it by the worker, of its polls). */
export function itemJobOptions(settings: { horizonMs: number; attempts: number; backoffMs: number }) {
  const age = Math.ceil(settings.horizonMs / 1000);
  return {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: { age },
    removeOnFail: { age },
  };
}

/** Queues and QueueEvents by name, made on first use and closed together. */
export class QueueRegistry {
  readonly #modules: QueueModules;
  readonly #settings: ResolvedBase;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, Promise<QueueEvents>>();

  constructor(modules: QueueModules, settings: ResolvedBase) {
    this.#modules = modules;
    this.#settings = settings;
  }

  queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new this.#modules.bullmq.Queue(name, {
        connection: bullConnection(this.#settings.connection),
        prefix: this.#settings.prefix,
      });
      queue.on('error', () => {});
      // Every result() being awaited listens for the queue closing: thousands are expected.
      queue.setMaxListeners(0);
      this.#queues.set(name, queue);
    }
    return queue;
  }

  events(name: string): Promise<QueueEvents> {
    let events = this.#events.get(name);
    if (!events) {
      const made = new this.#modules.bullmq.QueueEvents(name, {
        connection: bullConnection(this.#settings.connection),
        prefix: this.#settings.prefix,
      });
      made.on('error', () => {});
      made.setMaxListeners(0);
      events = made.waitUntilReady().then(() => made);
      this.#events.set(name, events);
    }
    return events;
  }

  async close(): Promise<void> {
    const events = await Promise.allSettled(this.#events.values());
    this.#events.clear();
    await Promise.allSettled([
      ...events.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)),
      ...[...this.#queues.values()].map((queue) => queue.close()),
    ]);
    this.#queues.clear();
  }
}

function notFound(vendor: string, key: string): EntitlementError {
  return new EntitlementError({
    kind: 'not-found',
    vendor,
    message: `no job for key ${JSON.stringify(key)}: it was never enqueued here, or it finished longer ago than the dedupe horizon`,
  });
}

async function raceSignal<T>(
  promise: Promise<T>,
  vendor: string,
  options: ResultOptions,
  started: number,
): Promise<T> {
  const { signal, timeoutMs } = options;
  if (!signal && timeoutMs === undefined) return promise;
  return new Promise<T>((resolvePromise, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(
        new EntitlementError({
          kind: 'cancelled',
          vendor,
          message: 'stopped waiting for the item: the job goes on',
          cause: signal?.reason,
        }),
      );
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => {
          finish();
          reject(
            new EntitlementError({
              kind: 'deadline-exceeded',
              vendor,
              retryable: true,
              message: `the item had not finished after ${timeoutMs} ms; its job goes on`,
            }),
          );
        },
        Math.max(0, timeoutMs - (Date.now() - started)),
      );
    }
    promise.then(
      (value) => {
        finish();
        resolvePromise(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}

class Item implements QueuedItem {
  readonly vendor: string;
  readonly key: string;
  readonly jobId: string;
  readonly #registry: QueueRegistry;
  readonly #queueName: string;

  constructor(registry: QueueRegistry, queueName: string, vendor: string, key: string) {
    this.#registry = registry;
    this.#queueName = queueName;
    this.vendor = vendor;
    this.key = key;
    this.jobId = jobIdForKey(key);
  }

  async #finished<T>(queueName: string, options: ResultOptions, started: number): Promise<T> {
    const queue = this.#registry.queue(queueName);
    const events = await this.#registry.events(queueName);
    const job = (await queue.getJob(this.jobId)) as Job<ItemJobData | PollJobData> | undefined;
    if (!job) throw notFound(this.vendor, this.key);
    try {
      return (await raceSignal(job.waitUntilFinished(events), this.vendor, options, started)) as T;
    } catch (error) {
      if (isEntitlementError(error)) throw error;
      const token = (await queue.getJob(this.jobId))?.data?.token ?? job.data?.token;
      throw errorFromReason((error as Error).message, {
        vendor: this.vendor,
        ...(typeof token === 'string' ? { token } : {}),
      });
    }
  }

  async result(options: ResultOptions = {}): Promise<QueueResult> {
    const started = Date.now();
    const value = await this.#finished<ItemJobReturn>(
      itemQueueName(this.#queueName, this.vendor),
      options,
      started,
    );
    if (value.stage === 'done') return value.result;
    return this.#finished<QueueResult>(pollQueueName(this.#queueName, this.vendor), options, started);
  }

  async state(): Promise<ItemState> {
    const job = await this.#registry.queue(itemQueueName(this.#queueName, this.vendor)).getJob(this.jobId);
    if (!job) return 'unknown';
    const state = await job.getState();
    if (state === 'completed') {
      const value = job.returnvalue as ItemJobReturn | undefined;
      if (value?.stage !== 'polling') return 'done';
      const poll = await this.#registry.queue(pollQueueName(this.#queueName, this.vendor)).getJob(this.jobId);
      const pollState = poll ? await poll.getState() : 'unknown';
      return pollState === 'completed' ? 'done' : pollState === 'failed' ? 'failed' : 'polling';
    }
    if (state === 'failed') return 'failed';
    if (state === 'active' || state === 'delayed') return job.data?.token ? 'polling' : state;
    if (state === 'waiting' || state === 'prioritized' || state === 'waiting-children') return 'waiting';
    return 'unknown';
  }
}

interface Keyed {
  index: number;
  keyed: KeyedItem;
  jobId: string;
  nonce: string;
}

class QueueProducer implements Producer {
  readonly #settings: Resolved;
  readonly #registry: QueueRegistry;
  #closed = false;

  constructor(modules: QueueModules, settings: Resolved) {
    this.#settings = settings;
    this.#registry = new QueueRegistry(modules, settings);
  }

  item(vendor: string, key: string): QueuedItem {
    checkVendor(vendor);
    if (typeof key !== 'string' || key.length === 0) throw invalid('key must be a non-empty string');
    return new Item(this.#registry, this.#settings.queueName, vendor, key);
  }

  async enqueue(items: Iterable<unknown> | AsyncIterable<unknown>): Promise<EnqueueReport> {
    if (this.#closed) throw invalid('the producer is closed');
    if (
      typeof items !== 'object' ||
      items === null ||
      (typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
        typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
    )
      throw invalid('enqueue takes an iterable or async iterable of items');
    const outcomes: EnqueueOutcome[] = [];
    let chunk: unknown[] = [];
    let index = 0;
    for await (const item of items as AsyncIterable<unknown>) {
      chunk.push(item);
      if (chunk.length === CHUNK) {
        outcomes.push(...(await this.#enqueueChunk(chunk, index)));
        index += chunk.length;
        chunk = [];
      }
    }
    if (chunk.length > 0) outcomes.push(...(await this.#enqueueChunk(chunk, index)));
    const count = (outcome: EnqueueOutcome['outcome']) =>
      outcomes.filter((o) => o.outcome === outcome).length;
    return { items: outcomes, added: count('added'), existing: count('existing'), refused: count('refused') };
  }

  async #enqueueChunk(chunk: readonly unknown[], first: number): Promise<EnqueueOutcome[]> {
    const outcomes = new Array<EnqueueOutcome>(chunk.length);
    const byVendor = new Map<string, Keyed[]>();
    chunk.forEach((item, offset) => {
      const index = first + offset;
      try {
        const vendor = (item as { vendor?: unknown } | null)?.vendor;
        const keyed = keyItem(
          item,
          typeof vendor === 'string' ? traitsFor(vendor, this.#settings.traits) : undefined,
        );
        checkVendor(keyed.request.vendor);
        const entry = { index, keyed, jobId: jobIdForKey(keyed.key), nonce: randomUUID() };
        const list = byVendor.get(keyed.request.vendor) ?? [];
        list.push(entry);
        byVendor.set(keyed.request.vendor, list);
      } catch (error) {
        if (!isEntitlementError(error)) throw error;
        outcomes[offset] = { outcome: 'refused', index, error };
      }
    });
    const options = itemJobOptions(this.#settings);
    for (const [vendor, entries] of byVendor) {
      const queue = this.#registry.queue(itemQueueName(this.#settings.queueName, vendor));
      const now = Date.now();
      await queue.addBulk(
        entries.map(({ keyed, jobId, nonce }) => {
          const traits = traitsFor(vendor, this.#settings.traits);
          const data: ItemJobData = {
            v: JOB_DATA_VERSION,
            vendor,
            key: keyed.key,
            digest: keyed.digest,
            request: keyed.request,
            sendKey: traits?.keyOf?.(keyed.request) !== keyed.key,
            nonce,
            enqueuedAt: now,
          };
          return { name: ITEM_JOB, data, opts: { ...options, jobId } };
        }),
      );
      // The job under each id is whichever add came first: ours (our nonce), or an earlier one.
      const stored = await Promise.all(
        entries.map((entry) => queue.getJob(entry.jobId) as Promise<Job<ItemJobData> | undefined>),
      );
      entries.forEach((entry, position) => {
        const offset = entry.index - first;
        const data = stored[position]?.data;
        const { key } = entry.keyed;
        const handle = new Item(this.#registry, this.#settings.queueName, vendor, key);
        if (data?.nonce === entry.nonce) {
          outcomes[offset] = Object.assign(handle, { outcome: 'added' as const, index: entry.index });
        } else if (!data || data.digest === entry.keyed.digest) {
          // No data: the job finished and was removed between the add and the read (past the
          // horizon, a race of milliseconds); it was the same key, so it counts as existing.
          outcomes[offset] = Object.assign(handle, { outcome: 'existing' as const, index: entry.index });
        } else {
          outcomes[offset] = {
            outcome: 'refused',
            index: entry.index,
            vendor,
            key,
            error: new EntitlementError({
              kind: 'already-exists',
              vendor,
              reason: 'CONTENT_CHANGED',
              message: `key ${JSON.stringify(key)} is already queued with other content (digest ${data.digest.slice(0, 12)}…, this item ${entry.keyed.digest.slice(0, 12)}…): use a new key for a new order, or enqueue the same content`,
            }),
          };
        }
      });
    }
    return outcomes;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#registry.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A producer for the item queues (loads bullmq and ioredis; a missing one is `failed-precondition`). */
export async function createProducer(options: ProducerOptions): Promise<Producer> {
  const settings = resolve(options);
  const modules = await loadQueueModules(settings.loadModules);
  await assertReachable(modules, settings.connection, settings.connectTimeoutMs);
  return new QueueProducer(modules, settings);
}
