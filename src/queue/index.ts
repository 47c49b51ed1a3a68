/**
 * `entitlement-provisioner/queue`: provisioning on several machines, on BullMQ and Redis. A
 * producer queues items (one job per item, its id derived from the item's key); workers on any
 * number of machines create and poll, paced cluster-wide at the vendors' quotas, exactly once per
 * item (the vendor's idempotency plus the operation token kept in the job).
 *
 * bullmq and ioredis are optional peer dependencies: `npm install bullmq@^6.7.0 ioredis@^6.0.0`.
 * Redis 7 with `maxmemory-policy noeviction`. See docs/scale-out.md.
 *
 * @example
 * ```ts
 * import { createProvisioner } from 'entitlement-provisioner';
 * import { createProducer, createWorker } from 'entitlement-provisioner/queue';
 *
 * const worker = await createWorker({ connection: 'redis://127.0.0.1:6379', provisioner: createProvisioner() });
 * const producer = await createProducer({ connection: 'redis://127.0.0.1:6379' });
 * const { items } = await producer.enqueue(orders);
 * for (const item of items) if (item.outcome !== 'refused') console.log(await item.result());
 * ```
 *
 * @packageDocumentation
 */
export type { QueueConnection } from './connection.ts';
export type {
  EntitlementJson,
  ItemJobData,
  ItemJobReturn,
  PollJobData,
  QueueProgress,
  QueueResult,
} from './jobs.ts';
export { type ModuleLoader, QUEUE_INSTALL_COMMAND } from './modules.ts';
export { DEFAULT_QUEUE_NAME, itemQueueName, jobIdForKey, pollQueueName } from './names.ts';
export {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_HORIZON_MS,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_POLL_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_RATE_LIMIT_PAUSE_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type QueueBaseOptions,
} from './options.ts';
export {
  DEFAULT_QUOTA_HEADROOM,
  limiterFor,
  type QueueQuotas,
  type VendorQueueQuotas,
} from './pacing.ts';
export {
  createProducer,
  type EnqueueOutcome,
  type EnqueueReport,
  type ItemState,
  type Producer,
  type ProducerOptions,
  type QueuedItem,
  type ResultOptions,
} from './producer.ts';
export {
  getQueueStatus,
  type QueueCounts,
  type QueueFailure,
  type QueueStatus,
  type QueueStatusEntry,
  type QueueStatusOptions,
} from './status.ts';
export {
  createWorker,
  type QueueWorker,
  type QueueWorkerEvent,
  type QueueWorkerOptions,
  type WorkerProvisioner,
  type WorkerQueueInfo,
  type WorkerStats,
} from './worker.ts';
