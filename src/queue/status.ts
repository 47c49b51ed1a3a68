/**
 * Where the queues stand: job counts by state per queue, the completion rate (BullMQ's per-minute
 * metrics, which the workers record), a pause in force after a vendor's rate-limit answer, and the
 * latest failures with their EntitlementError.
 */
import type { Job } from 'bullmq';
import { assertReachable } from './connection.ts';
import { errorFromReason, type ItemJobData, type PollJobData } from './jobs.ts';
import { loadQueueModules } from './modules.ts';
import { checkVendor, itemQueueName, pollQueueName } from './names.ts';
import { checkPositiveInteger, type QueueBaseOptions, resolveBase } from './options.ts';
import { QueueRegistry } from './producer.ts';
import { BUILT_IN_TRAITS } from './traits.ts';

export interface QueueStatusOptions extends QueueBaseOptions {
  /** Vendors to report on. Default: the built-in vendors and those of `traits`. */
  vendors?: readonly string[];
  /** Failures listed per queue (the latest first). Default 10. */
  failures?: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  prioritized: number;
}

export interface QueueFailure {
  key: string;
  jobId: string;
  failedAt?: string;
  attempts: number;
  /** The job's EntitlementError, serialised. */
  error: Record<string, unknown>;
}

export interface QueueStatusEntry {
  name: string;
  vendor: string;
  role: 'items' | 'polls';
  counts: QueueCounts;
  /** Jobs finished (completed or failed) in the last full minute and per minute over the last 5. */
  rate: { lastMinute: number; perMinute5: number };
  /** Milliseconds left of a pause after a vendor's rate-limit answer (0: none). */
  pausedForMs: number;
  failures: QueueFailure[];
}

export interface QueueStatus {
  queues: QueueStatusEntry[];
  /** Totals over the item queues: every item is one job there. */
  items: QueueCounts;
}

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

function zero(): QueueCounts {
  return { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, prioritized: 0 };
}

async function finishedPerMinute(
  queue: ReturnType<QueueRegistry['queue']>,
): Promise<{ lastMinute: number; perMinute5: number }> {
  const [completed, failed] = await Promise.all([
    queue.getMetrics('completed', 0, 5),
    queue.getMetrics('failed', 0, 5),
  ]);
  // data[0] is the minute in progress; [1] the last full one.
  const minute = (index: number) => (completed.data[index] ?? 0) + (failed.data[index] ?? 0);
  const five = [1, 2, 3, 4, 5].reduce((sum, index) => sum + minute(index), 0);
  return { lastMinute: minute(1), perMinute5: five / 5 };
}

export async function getQueueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  const base = resolveBase(options, 'status');
  const failures = checkPositiveInteger(options.failures ?? 10, 'failures');
  const vendors = [
    ...(options.vendors ?? [...Object.keys(BUILT_IN_TRAITS), ...Object.keys(base.traits ?? {})]),
  ];
  vendors.forEach(checkVendor);
  const modules = await loadQueueModules(base.loadModules);
  await assertReachable(modules, base.connection, base.connectTimeoutMs);
  const registry = new QueueRegistry(modules, base);
  try {
    const plan = [...new Set(vendors)].flatMap((vendor) => [
      { name: itemQueueName(base.queueName, vendor), vendor, role: 'items' as const },
      { name: pollQueueName(base.queueName, vendor), vendor, role: 'polls' as const },
    ]);
    const queues = await Promise.all(
      plan.map(async ({ name, vendor, role }): Promise<QueueStatusEntry> => {
        const queue = registry.queue(name);
        const [counts, rate, pausedForMs, failed] = await Promise.all([
          queue.getJobCounts(...STATES),
          finishedPerMinute(queue),
          queue.getRateLimitTtl(Number.MAX_SAFE_INTEGER),
          queue.getFailed(0, failures - 1) as Promise<Job<ItemJobData | PollJobData>[]>,
        ]);
        const entry: QueueCounts = zero();
        for (const state of STATES) entry[state] = counts[state] ?? 0;
        return {
          name,
          vendor,
          role,
          counts: entry,
          rate,
          pausedForMs: Math.max(0, pausedForMs),
          failures: failed.filter(Boolean).map((job) => {
            const token = job.data?.token;
            return {
              key: job.data?.key ?? '',
              jobId: String(job.id),
              ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
              attempts: job.attemptsMade,
              error: errorFromReason(job.failedReason, {
                vendor,
                ...(typeof token === 'string' ? { token } : {}),
              }).toJSON(),
            };
          }),
        };
      }),
    );
    const items = zero();
    for (const queue of queues)
      if (queue.role === 'items') for (const state of STATES) items[state] += queue.counts[state];
    return { queues, items };
  } finally {
    await registry.close();
  }
}
