/**
 * The worker: BullMQ workers for each vendor's item queue (and poll queue, when polls have a
 * quota of their own), running one step per job start, so that every start is one request and
 * BullMQ's limiter paces requests:
 *
 * 1. create with the item's key (Cloud Channel: as the request id; Confluent: its external_id),
 *    then, before anything else, write the operation token into the job (`updateData`);
 * 2. poll: one `poll()` per start; while the operation runs, the job waits delayed (it holds no
 *    worker slot), in the item queue or in the vendor's poll queue.
 *
 * A worker that dies mid-step leaves a job whose lock expires: BullMQ's stalled check gives it to
 * another worker, which resumes from the token in the job, or, when the worker died between the
 * create and `updateData`, sends the create again with the same key (the vendor dedupes). A quota
 * answer pauses the whole queue, cluster-wide, for the vendor's Retry-After. Retryable failures
 * are retried by BullMQ (attempts with exponential backoff); the provisioner is called with
 * `maxRetries: 0` so that retries never stack. A permanent failure ends the job failed, with the
 * serialised EntitlementError as its failed reason.
 */
import { hostname } from 'node:os';
import type { Job, Queue, Worker } from 'bullmq';
import { EntitlementError } from '../core/errors.ts';
import { DEFAULT_POLLING } from '../core/operation.ts';
import type { CallOptions, PollingOptions, ProvisioningOperation, ResumeOptions } from '../core/types.ts';
import { assertReachable, bullConnection } from './connection.ts';
import {
  asEntitlementError,
  entitlementJson,
  failureReason,
  ITEM_JOB,
  type ItemJobData,
  type ItemJobReturn,
  JOB_DATA_VERSION,
  POLL_JOB,
  type PollJobData,
  type QueueProgress,
  type QueueResult,
} from './jobs.ts';
import { loadQueueModules, type QueueModules } from './modules.ts';
import { checkVendor, itemQueueName, pollQueueName } from './names.ts';
import {
  checkDuration,
  checkPositiveInteger,
  DEFAULT_CONCURRENCY,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_POLL_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT_PAUSE_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  invalid,
  type QueueBaseOptions,
  type ResolvedBase,
  resolveBase,
} from './options.ts';
import {
  checkHeadroom,
  DEFAULT_QUOTA_HEADROOM,
  layoutFor,
  limiterFor,
  type QueueQuotas,
  type VendorLayout,
} from './pacing.ts';
import { traitsFor } from './traits.ts';

/** What the worker needs of a provisioner: the facade (`createProvisioner()`) or one adapter. */
export interface WorkerProvisioner {
  create(request: never, options?: CallOptions): Promise<ProvisioningOperation>;
  resume(token: string, options?: ResumeOptions): Promise<ProvisioningOperation>;
  /** The facade's vendors. */
  readonly vendors?: readonly string[];
  /** An adapter's vendor. */
  readonly vendor?: string;
}

export type QueueWorkerEvent =
  | { type: 'created'; vendor: string; key: string; jobId: string; token: string; replayed: boolean }
  | { type: 'polled'; vendor: string; key: string; jobId: string; polls: number; done: boolean }
  | { type: 'done'; vendor: string; key: string; jobId: string; polls: number }
  | {
      type: 'retry' | 'failed';
      vendor: string;
      key: string;
      jobId: string;
      /** The error, serialised (as the job keeps it). */
      error: Record<string, unknown>;
      attempt: number;
    }
  | { type: 'rate-limited'; vendor: string; queue: string; pauseMs: number }
  | { type: 'error'; queue: string; message: string };

export interface QueueWorkerOptions extends QueueBaseOptions {
  provisioner: WorkerProvisioner;
  /** The vendors to serve. Default: the provisioner's (`vendors`, or its `vendor`). */
  vendors?: readonly string[];
  /**
   * Quotas by vendor (`{ create, poll }` or `{ all }`, each `{ limit, intervalMs }`). Default: the
   * vendors' published figures (Cloud Channel: create 120/min, poll 600/min); a vendor with none
   * (Confluent) is not paced, but its rate-limit answers still pause its queue. Give every worker
   * of a cluster the same quotas.
   */
  quotas?: QueueQuotas;
  /** The share of each quota held back (at least 2 requests per window). Default 0.02. */
  quotaHeadroom?: number;
  /** Jobs this process runs at once, per queue. Default 10. */
  concurrency?: number;
  /** A job's lock, renewed every half of it while the job runs; a dead worker's job is recovered after about this plus `stalledIntervalMs`. Default 30000. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs. Default 30000. */
  stalledIntervalMs?: number;
  /** How many times a job may lose its worker and still be recovered. Default 3. */
  maxStalledCount?: number;
  /** The schedule of polls of a pending operation (default: 1 s, x1.5, at most 30 s). */
  polling?: PollingOptions;
  /** How long an operation may stay pending before its job fails with `deadline-exceeded` (and its token). Default 30 min. */
  pollTimeoutMs?: number;
  /** The pause after a rate-limit answer without Retry-After. Default 5000. */
  rateLimitPauseMs?: number;
  /** Timeout of each request to the vendor (default: the adapter's). */
  requestTimeoutMs?: number;
  /** Receives what the worker does (never secrets). */
  onEvent?: (event: QueueWorkerEvent) => void;
}

export interface WorkerQueueInfo {
  name: string;
  vendor: string;
  role: 'items' | 'polls';
  /** One job start per `duration` ms at most, `max` at a time (cluster-wide). */
  limiter: { max: number; duration: number };
}

export interface WorkerStats {
  created: number;
  polls: number;
  done: number;
  failed: number;
  retried: number;
  rateLimited: number;
}

export interface QueueWorker extends AsyncDisposable {
  readonly queues: readonly WorkerQueueInfo[];
  readonly stats: Readonly<WorkerStats>;
  /** Resolves once every BullMQ worker is connected. */
  ready(): Promise<void>;
  /**
   * Stops taking jobs and waits for the running steps to finish (each is one request and its
   * Redis writes): nothing is lost, the rest waits in Redis. `force`: stop at once; the jobs
   * running are then recovered as stalled.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

interface Settings extends ResolvedBase {
  provisioner: WorkerProvisioner;
  vendors: string[];
  layouts: Map<string, VendorLayout>;
  headroom: number;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  polling: Required<PollingOptions>;
  pollTimeoutMs: number;
  rateLimitPauseMs: number;
  requestTimeoutMs?: number;
  onEvent?: (event: QueueWorkerEvent) => void;
}

function resolve(options: QueueWorkerOptions): Settings {
  const base = resolveBase(options, 'worker');
  const provisioner = options.provisioner;
  if (
    typeof provisioner !== 'object' ||
    provisioner === null ||
    typeof provisioner.create !== 'function' ||
    typeof provisioner.resume !== 'function'
  )
    throw invalid('provisioner must be a provisioner (createProvisioner() or a vendor adapter)');
  const vendors = [
    ...(options.vendors ?? provisioner.vendors ?? (provisioner.vendor ? [provisioner.vendor] : [])),
  ];
  if (vendors.length === 0)
    throw invalid('no vendors to serve: pass vendors, or a provisioner that names its own');
  vendors.forEach(checkVendor);
  if (options.quotas !== undefined && (typeof options.quotas !== 'object' || options.quotas === null))
    throw invalid('quotas must be an object of quotas by vendor id');
  const layouts = new Map(
    vendors.map((vendor) => [vendor, layoutFor(vendor, options.quotas, traitsFor(vendor, base.traits))]),
  );
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    throw invalid('onEvent must be a function');
  return {
    ...base,
    provisioner,
    vendors,
    layouts,
    headroom: checkHeadroom(options.quotaHeadroom ?? DEFAULT_QUOTA_HEADROOM),
    concurrency: checkPositiveInteger(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency'),
    lockDurationMs: checkDuration(options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS, 'lockDurationMs', 100),
    stalledIntervalMs: checkDuration(
      options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      'stalledIntervalMs',
      100,
    ),
    maxStalledCount: checkPositiveInteger(
      options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
      'maxStalledCount',
    ),
    polling: checkPolling(options.polling),
    pollTimeoutMs: checkDuration(options.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS, 'pollTimeoutMs'),
    rateLimitPauseMs: checkDuration(
      options.rateLimitPauseMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS,
      'rateLimitPauseMs',
    ),
    ...(options.requestTimeoutMs !== undefined
      ? { requestTimeoutMs: checkDuration(options.requestTimeoutMs, 'requestTimeoutMs') }
      : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}

function checkPolling(polling: PollingOptions | undefined): Required<PollingOptions> {
  if (polling !== undefined && (typeof polling !== 'object' || polling === null))
    throw invalid('polling must be { initialDelayMs?, multiplier?, maxDelayMs? }');
  const initialDelayMs = checkDuration(
    polling?.initialDelayMs ?? DEFAULT_POLLING.initialDelayMs,
    'polling.initialDelayMs',
    0,
  );
  const maxDelayMs = checkDuration(
    polling?.maxDelayMs ?? DEFAULT_POLLING.maxDelayMs,
    'polling.maxDelayMs',
    0,
  );
  const multiplier = polling?.multiplier ?? DEFAULT_POLLING.multiplier;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1)
    throw invalid(`polling.multiplier must be a number >= 1, got ${String(multiplier)}`);
  return { initialDelayMs, multiplier, maxDelayMs };
}

/** The delay before poll number `polls + 1`. */
function pollDelay(polling: Required<PollingOptions>, polls: number): number {
  return Math.min(polling.maxDelayMs, polling.initialDelayMs * polling.multiplier ** polls);
}

type AnyJob = Job<ItemJobData | PollJobData, ItemJobReturn | QueueResult>;

class Steps {
  readonly #settings: Settings;
  readonly #modules: QueueModules;
  readonly #queues: Map<string, Queue>;
  readonly stats: WorkerStats = { created: 0, polls: 0, done: 0, failed: 0, retried: 0, rateLimited: 0 };

  constructor(settings: Settings, modules: QueueModules, queues: Map<string, Queue>) {
    this.#settings = settings;
    this.#modules = modules;
    this.#queues = queues;
  }

  emit(event: QueueWorkerEvent): void {
    try {
      this.#settings.onEvent?.(event);
    } catch {
      // A listener's failure is not the job's.
    }
  }

  #callOptions(extra: CallOptions = {}): CallOptions {
    const timeout = this.#settings.requestTimeoutMs;
    return { maxRetries: 0, ...(timeout !== undefined ? { timeoutMs: timeout } : {}), ...extra };
  }

  /** Runs one step of a job; every failure leaves here as BullMQ expects it. */
  async run(
    job: AnyJob,
    lockToken: string | undefined,
    layout: VendorLayout,
  ): Promise<ItemJobReturn | QueueResult> {
    const data = job.data;
    try {
      if (data?.v !== JOB_DATA_VERSION) throw this.#foreign(job);
      if (job.name === ITEM_JOB) {
        const item = data as ItemJobData;
        if (item.token === undefined) return await this.#create(job as Job<ItemJobData>, lockToken, layout);
        // Created by an earlier start (whose worker may have died after updateData).
        if (!layout.shared)
          return await this.#handOff(job as Job<ItemJobData>, item.token, item.tokenAt ?? Date.now());
        return await this.#poll(job, lockToken, item.token, item.tokenAt ?? Date.now(), layout);
      }
      if (job.name === POLL_JOB) {
        const poll = data as PollJobData;
        return await this.#poll(job, lockToken, poll.token, poll.tokenAt, layout);
      }
      throw this.#foreign(job);
    } catch (caught) {
      const { DelayedError, UnrecoverableError, Worker: BullWorker } = this.#modules.bullmq;
      if (caught instanceof DelayedError) throw caught;
      const error = asEntitlementError(caught, layout.vendor);
      const base = { vendor: layout.vendor, key: data?.key ?? '', jobId: String(job.id) };
      if (error.kind === 'rate-limited') {
        // The whole queue (every worker of the cluster) pauses; this job goes back to wait
        // without spending an attempt.
        const pauseMs = Math.max(1, Math.ceil(error.retryAfterMs ?? this.#settings.rateLimitPauseMs));
        await this.#queues.get(job.queueName)?.rateLimit(pauseMs);
        this.stats.rateLimited++;
        this.emit({ type: 'rate-limited', vendor: layout.vendor, queue: job.queueName, pauseMs });
        throw BullWorker.RateLimitError();
      }
      const reason = failureReason(error);
      const attempt = job.attemptsMade + 1;
      const last = !error.retryable || attempt >= (job.opts.attempts ?? 1);
      if (last) this.stats.failed++;
      else this.stats.retried++;
      this.emit({ type: last ? 'failed' : 'retry', ...base, error: error.toJSON(), attempt });
      const failure = error.retryable ? new Error(reason) : new UnrecoverableError(reason);
      // The stack is BullMQ's stacktrace field: the kind and message are enough there.
      failure.stack = `EntitlementError (${error.kind}): ${error.message}`;
      throw failure;
    }
  }

  #foreign(job: AnyJob): EntitlementError {
    return new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'queue',
      retryable: false,
      message: `job ${String(job.id)} (${job.name}) was not made by entitlement-provisioner/queue (or by another version of it): nothing was sent`,
    });
  }

  async #create(
    job: Job<ItemJobData>,
    lockToken: string | undefined,
    layout: VendorLayout,
  ): Promise<ItemJobReturn> {
    const data = job.data;
    const create = this.#settings.provisioner.create as (
      request: unknown,
      options?: CallOptions,
    ) => Promise<ProvisioningOperation>;
    const operation = await create.call(
      this.#settings.provisioner,
      data.request,
      this.#callOptions(data.sendKey ? { idempotencyKey: data.key } : {}),
    );
    const tokenAt = Date.now();
    // Before anything else: from here on a dead worker's job resumes from the token.
    await job.updateData({ ...data, token: operation.token, tokenAt });
    this.stats.created++;
    this.emit({
      type: 'created',
      vendor: data.vendor,
      key: data.key,
      jobId: String(job.id),
      token: operation.token,
      replayed: operation.replayed,
    });
    await job.updateProgress({ stage: 'created', token: operation.token } satisfies QueueProgress);
    if (operation.done)
      return { stage: 'done', result: this.#result(job, operation.token, operation.status, 0) };
    if (!layout.shared) return this.#handOff(job, operation.token, tokenAt);
    return this.#later(job, lockToken, 0);
  }

  /** Polls continue in the vendor's poll queue, under the same job id (adding twice is a no-op). */
  async #handOff(job: Job<ItemJobData>, token: string, tokenAt: number): Promise<ItemJobReturn> {
    const queue = this.#queues.get(pollQueueName(this.#settings.queueName, job.data.vendor));
    if (!queue) throw new Error(`no poll queue for ${job.data.vendor}`);
    const data: PollJobData = {
      v: JOB_DATA_VERSION,
      vendor: job.data.vendor,
      key: job.data.key,
      token,
      tokenAt,
    };
    const { attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
    await queue.add(POLL_JOB, data, {
      jobId: String(job.id),
      delay: pollDelay(this.#settings.polling, 0),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(backoff !== undefined ? { backoff } : {}),
      ...(removeOnComplete !== undefined ? { removeOnComplete } : {}),
      ...(removeOnFail !== undefined ? { removeOnFail } : {}),
    });
    return { stage: 'polling', token };
  }

  async #poll(
    job: AnyJob,
    lockToken: string | undefined,
    token: string,
    tokenAt: number,
    layout: VendorLayout,
  ): Promise<ItemJobReturn | QueueResult> {
    const polls =
      (job.progress as Partial<QueueProgress> | undefined)?.stage === 'polling'
        ? ((job.progress as { polls: number }).polls ?? 0)
        : 0;
    if (Date.now() - tokenAt > this.#settings.pollTimeoutMs) {
      throw new EntitlementError({
        kind: 'deadline-exceeded',
        vendor: layout.vendor,
        retryable: false,
        token,
        message: `the operation was still pending ${this.#settings.pollTimeoutMs} ms after its create; it has not failed and may still complete: resume it with its token`,
      });
    }
    const operation = await this.#settings.provisioner.resume(token, this.#callOptions());
    const status = await operation.poll(this.#callOptions());
    this.stats.polls++;
    const done = status.done;
    this.emit({
      type: 'polled',
      vendor: layout.vendor,
      key: job.data.key,
      jobId: String(job.id),
      polls: polls + 1,
      done,
    });
    if (done) {
      const result = this.#result(job, token, status, polls + 1);
      return job.name === ITEM_JOB ? { stage: 'done', result } : result;
    }
    await job.updateProgress({ stage: 'polling', polls: polls + 1 } satisfies QueueProgress);
    return this.#later(job, lockToken, polls + 1);
  }

  /** Waits for the next poll delayed, holding no worker slot. */
  async #later(job: AnyJob, lockToken: string | undefined, polls: number): Promise<never> {
    await job.moveToDelayed(Date.now() + pollDelay(this.#settings.polling, polls), lockToken);
    throw new this.#modules.bullmq.DelayedError();
  }

  #result(job: AnyJob, token: string, status: ProvisioningOperation['status'], polls: number): QueueResult {
    const entitlement = status.entitlement;
    if (!entitlement) {
      throw new EntitlementError({
        kind: 'internal',
        vendor: job.data.vendor,
        retryable: false,
        token,
        message: 'the operation finished without an entitlement',
      });
    }
    this.stats.done++;
    this.emit({ type: 'done', vendor: job.data.vendor, key: job.data.key, jobId: String(job.id), polls });
    return {
      vendor: job.data.vendor,
      key: job.data.key,
      entitlement: entitlementJson(entitlement),
      token,
      polls,
    };
  }
}

class QueueWorkerImpl implements QueueWorker {
  readonly queues: WorkerQueueInfo[] = [];
  readonly #workers: Worker[] = [];
  readonly #queues = new Map<string, Queue>();
  readonly #steps: Steps;
  #closing: Promise<void> | undefined;

  constructor(modules: QueueModules, settings: Settings) {
    const { Queue: BullQueue, Worker: BullWorker } = modules.bullmq;
    const connection = bullConnection(settings.connection);
    const prefix = settings.prefix;
    const plan: { name: string; layout: VendorLayout; role: 'items' | 'polls' }[] = [];
    for (const layout of settings.layouts.values()) {
      plan.push({ name: itemQueueName(settings.queueName, layout.vendor), layout, role: 'items' });
      if (!layout.shared)
        plan.push({ name: pollQueueName(settings.queueName, layout.vendor), layout, role: 'polls' });
    }
    for (const { name } of plan) {
      const queue = new BullQueue(name, { connection, prefix });
      queue.on('error', (error: Error) =>
        this.#steps.emit({ type: 'error', queue: name, message: error.message }),
      );
      this.#queues.set(name, queue);
    }
    this.#steps = new Steps(settings, modules, this.#queues);
    const workerName = `${hostname()}:${process.pid}`;
    for (const { name, layout, role } of plan) {
      const limiter = limiterFor(role === 'items' ? layout.itemQuota : layout.pollQuota, settings.headroom);
      this.queues.push({ name, vendor: layout.vendor, role, limiter });
      const worker = new BullWorker(
        name,
        (job: AnyJob, lockToken?: string) => this.#steps.run(job, lockToken, layout),
        {
          connection,
          prefix,
          name: workerName,
          concurrency: settings.concurrency,
          limiter,
          lockDuration: settings.lockDurationMs,
          stalledInterval: settings.stalledIntervalMs,
          maxStalledCount: settings.maxStalledCount,
          // Finished jobs per minute, for `queue status` (one day of minutes).
          metrics: { maxDataPoints: 24 * 60 },
        },
      );
      worker.on('error', (error: Error) =>
        this.#steps.emit({ type: 'error', queue: name, message: error.message }),
      );
      this.#workers.push(worker);
    }
  }

  get stats(): Readonly<WorkerStats> {
    return { ...this.#steps.stats };
  }

  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.waitUntilReady()));
  }

  close(options: { force?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled(this.#workers.map((worker) => worker.close(options.force === true)));
      await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts workers for the vendors' queues (loads bullmq and ioredis; a missing one is
 * `failed-precondition` naming the install command).
 */
export async function createWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const settings = resolve(options);
  const modules = await loadQueueModules(settings.loadModules);
  await assertReachable(modules, settings.connection, settings.connectTimeoutMs);
  return new QueueWorkerImpl(modules, settings);
}
