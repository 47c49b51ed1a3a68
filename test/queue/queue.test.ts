/**
 * The queue in one process, against a private redis-server and both emulators: results, dedupe
 * on re-enqueue, conflicts, failures carried as EntitlementError, retries that never stack,
 * quota answers that pause the whole queue, and argument checks. (Worker processes that are
 * killed and restarted are in cluster.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isEntitlementError } from '../../src/core/errors.ts';
import { createProvisioner, type Provisioner } from '../../src/provisioner.ts';
import {
  createProducer,
  createWorker,
  getQueueStatus,
  itemQueueName,
  type Producer,
  type QueueWorkerEvent,
  type QueueWorkerOptions,
} from '../../src/queue/index.ts';
import {
  type ChannelEmulator,
  type ConfluentEmulator,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import {
  CHANNEL_ACCOUNT,
  channelCustomers,
  channelItem,
  confluentItem,
  duplicates,
  mixedItems,
} from './fixtures.ts';
import { type RedisServer, startRedisServer } from './redis-server.ts';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

interface Stack {
  confluent: ConfluentEmulator;
  channel: ChannelEmulator;
  provisioner: Provisioner;
  queueName: string;
  producer: Producer;
  worker(options?: Partial<QueueWorkerOptions>): Promise<Awaited<ReturnType<typeof createWorker>>>;
  events: QueueWorkerEvent[];
  /** Resolves with the first event (past or future) that `predicate` accepts. */
  until(predicate: (event: QueueWorkerEvent) => boolean): Promise<QueueWorkerEvent>;
}

/** Emulators, a provisioner and a producer of a fresh queue name; everything is closed after the test. */
async function stack(
  options: { confluentRateLimit?: { requests: number; perMs: number } } = {},
): Promise<Stack> {
  const confluent = await startConfluentEmulator(
    options.confluentRateLimit ? { rateLimit: options.confluentRateLimit } : {},
  );
  const channel = await startChannelEmulator({
    customers: [
      ...channelCustomers(100),
      { name: `${CHANNEL_ACCOUNT}/customers/UNVERIFIED`, domainVerified: false },
    ],
    completion: { afterPolls: 1 },
  });
  const provisioner = createProvisioner({
    confluent: { baseUrl: confluent.url, credentials: { type: 'bearer', token: 'emulator-token' } },
    googleChannel: { apiEndpoint: '127.0.0.1', port: channel.grpcAddress.port, insecure: true },
    tracing: false,
    env: {},
  });
  const queueName = `t${randomUUID().slice(0, 8)}`;
  const producer = await createProducer({ connection: redis.url, queueName, backoffMs: 10 });
  const workers: Awaited<ReturnType<typeof createWorker>>[] = [];
  const events: QueueWorkerEvent[] = [];
  const waiters: {
    predicate: (event: QueueWorkerEvent) => boolean;
    resolve: (event: QueueWorkerEvent) => void;
  }[] = [];
  const record = (event: QueueWorkerEvent) => {
    events.push(event);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(event)) waiter.resolve(event);
      else waiters.push(waiter);
    }
  };
  onTestFinished(async () => {
    await Promise.allSettled(workers.map((worker) => worker.close()));
    await producer.close();
    await provisioner.close();
    await confluent.close();
    await channel.close();
  });
  return {
    confluent,
    channel,
    provisioner,
    queueName,
    producer,
    events,
    until(predicate) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    async worker(extra = {}) {
      const worker = await createWorker({
        connection: redis.url,
        queueName,
        provisioner,
        polling: { initialDelayMs: 20, multiplier: 1, maxDelayMs: 20 },
        quotas: {
          'google-channel': {
            create: { limit: 6000, intervalMs: 60_000 },
            poll: { limit: 6000, intervalMs: 60_000 },
          },
        },
        onEvent: record,
        ...extra,
      });
      workers.push(worker);
      await worker.ready();
      return worker;
    },
  };
}

describe('producer and worker', () => {
  it('creates one entitlement per item, mixed vendors, and result() gives each one', async () => {
    const s = await stack();
    await s.worker();
    const items = mixedItems('basic', 20);
    const report = await s.producer.enqueue(items);
    expect(report).toMatchObject({ added: 20, existing: 0, refused: 0 });
    const results = await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    expect(results.map((result) => result.vendor)).toEqual(items.map((item) => item.vendor));
    expect(results.every((result) => result.entitlement.id.length > 0)).toBe(true);
    expect(s.confluent.entitlements()).toHaveLength(10);
    expect(s.channel.entitlements()).toHaveLength(10);
    expect(duplicates(s.channel.operations().map((operation) => operation.requestId ?? ''))).toEqual([]);
    const states = await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? 'refused' : item.state())),
    );
    expect(new Set(states)).toEqual(new Set(['done']));
  });
});

describe('dedupe and conflicts', () => {
  it('re-enqueueing the same items is a no-op, before and after they are done', async () => {
    const s = await stack();
    const items = mixedItems('again', 10);
    expect(await s.producer.enqueue(items)).toMatchObject({ added: 10, existing: 0 });
    // Still waiting (no worker yet): the same items again are found, not added.
    expect(await s.producer.enqueue(items)).toMatchObject({ added: 0, existing: 10, refused: 0 });
    await s.worker();
    const first = await s.producer.enqueue(items);
    const ids = await Promise.all(
      first.items.map(async (item) =>
        item.outcome === 'refused' ? '' : (await item.result()).entitlement.id,
      ),
    );
    const createsBefore = s.confluent.requests.filter((request) => request.method === 'POST').length;
    const operationsBefore = s.channel.operations().length;
    // Done: enqueueing again adds nothing and sends nothing; the results are the same entitlements.
    const again = await s.producer.enqueue(items);
    expect(again).toMatchObject({ added: 0, existing: 10, refused: 0 });
    const idsAgain = await Promise.all(
      again.items.map(async (item) =>
        item.outcome === 'refused' ? '' : (await item.result()).entitlement.id,
      ),
    );
    expect(idsAgain).toEqual(ids);
    const queue = new Queue(itemQueueName(s.queueName, 'confluent'), { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    expect(await queue.getJobCounts('completed', 'waiting', 'delayed', 'active')).toEqual({
      completed: 5,
      waiting: 0,
      delayed: 0,
      active: 0,
    });
    expect(s.confluent.requests.filter((request) => request.method === 'POST')).toHaveLength(createsBefore);
    expect(s.channel.operations()).toHaveLength(operationsBefore);
    expect(s.confluent.entitlements()).toHaveLength(5);
    expect(s.channel.entitlements()).toHaveLength(5);
  });

  it('refuses other content under a queued key as a conflict, and keeps the first', async () => {
    const s = await stack();
    const original = confluentItem('conflict', 1, 'Original name');
    const changed = confluentItem('conflict', 1, 'Changed name');
    const first = await s.producer.enqueue([original]);
    expect(first.added).toBe(1);
    // In another call, and twice in one call.
    const second = await s.producer.enqueue([changed, original, changed]);
    expect(second.items.map((item) => item.outcome)).toEqual(['refused', 'existing', 'refused']);
    const refusal = second.items[0];
    if (refusal?.outcome !== 'refused') throw new Error('expected a refusal');
    expect(isEntitlementError(refusal.error)).toBe(true);
    expect(refusal.error).toMatchObject({
      kind: 'already-exists',
      reason: 'CONTENT_CHANGED',
      vendor: 'confluent',
    });
    expect(refusal.error.message).toContain('"conflict-1"');
    await s.worker();
    const result = await s.producer.item('confluent', 'conflict-1').result();
    expect(result.entitlement.raw).toMatchObject({ name: 'Original name' });
    expect(s.confluent.entitlements().map((entitlement) => entitlement.name)).toEqual(['Original name']);
  });

  it('past the horizon an item is queued again, and the vendor dedupes it by its key', async () => {
    const s = await stack();
    const producer = await createProducer({
      connection: redis.url,
      queueName: s.queueName,
      horizonMs: 60_000,
    });
    onTestFinished(() => producer.close());
    await s.worker();
    const item = confluentItem('horizon', 1);
    const [queued] = (await producer.enqueue([item])).items;
    if (!queued || queued.outcome === 'refused') throw new Error('expected it queued');
    const before = await queued.result();
    const queue = new Queue(itemQueueName(s.queueName, 'confluent'), { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    const job = await queue.getJob(queued.jobId);
    expect(job?.opts).toMatchObject({ removeOnComplete: { age: 60 }, removeOnFail: { age: 60 } });
    // What the horizon does (BullMQ removes jobs older than it): the job is gone.
    await job?.remove();
    expect(await queued.state()).toBe('unknown');
    const again = await producer.enqueue([item]);
    expect(again.added).toBe(1);
    const [requeued] = again.items;
    if (!requeued || requeued.outcome === 'refused') throw new Error('expected it queued');
    const after = await requeued.result();
    expect(after.entitlement.id).toBe(before.entitlement.id);
    expect(s.confluent.entitlements()).toHaveLength(1);
    // The second create was answered 409 and reconciled with the existing entitlement.
    expect(
      s.confluent.requests.filter((request) => request.method === 'POST').map((request) => request.status),
    ).toEqual([201, 409]);
  });

  it('refuses what is not an item, naming why, and queues nothing for it', async () => {
    const s = await stack();
    const report = await s.producer.enqueue([
      null,
      { entitlement: {} },
      { vendor: 'bad:vendor' },
      confluentItem('ok', 1),
    ]);
    expect(report.items.map((item) => item.outcome)).toEqual(['refused', 'refused', 'refused', 'added']);
    const errors = report.items.flatMap((item) => (item.outcome === 'refused' ? [item.error] : []));
    expect(errors.map((error) => error.kind)).toEqual([
      'invalid-argument',
      'invalid-argument',
      'invalid-argument',
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringContaining('create request object'),
      expect.stringContaining('"vendor"'),
      expect.stringContaining('"bad:vendor"'),
    ]);
    const status = await getQueueStatus({ connection: redis.url, queueName: s.queueName });
    expect(status.items.waiting).toBe(1);
  });
});

describe('failures', () => {
  it('a permanent failure ends the job failed with its EntitlementError, after one attempt, without secrets', async () => {
    const s = await stack();
    await s.worker();
    const report = await s.producer.enqueue([
      {
        vendor: 'google-channel',
        parent: `${CHANNEL_ACCOUNT}/customers/UNVERIFIED`,
        entitlement: { offer: `${CHANNEL_ACCOUNT}/offers/OFFER-WORKSPACE-STARTER` },
      },
      {
        ...confluentItem('invalid', 1),
        entitlement: { ...confluentItem('invalid', 1).entitlement, plan_id: 'no-such-plan' },
      },
    ]);
    const errors = await Promise.all(
      report.items.map((item) =>
        item.outcome === 'refused'
          ? item.error
          : item.result().then(
              () => undefined,
              (error: unknown) => error,
            ),
      ),
    );
    expect(errors.map((error) => isEntitlementError(error) && error.kind)).toEqual([
      'failed-precondition',
      'invalid-argument',
    ]);
    expect(
      await Promise.all(report.items.map((item) => (item.outcome === 'refused' ? 'refused' : item.state()))),
    ).toEqual(['failed', 'failed']);
    expect(s.confluent.requests).toHaveLength(0); // refused by the adapter: nothing was sent
    const status = await getQueueStatus({ connection: redis.url, queueName: s.queueName });
    const failures = status.queues.flatMap((queue) => queue.failures);
    expect(failures.map((failure) => [failure.error.kind, failure.attempts])).toEqual(
      expect.arrayContaining([
        ['failed-precondition', 1],
        ['invalid-argument', 1],
      ]),
    );
    const queue = new Queue(itemQueueName(s.queueName, 'confluent'), { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    const [failed] = await queue.getFailed();
    expect(JSON.parse(failed?.failedReason ?? '')).toMatchObject({
      name: 'EntitlementError',
      kind: 'invalid-argument',
    });
    expect(JSON.stringify(failed)).not.toContain('emulator-token');
    expect(s.events.filter((event) => event.type === 'failed')).toHaveLength(2);
  });

  it('retries are BullMQ attempts only: the provisioner is called with maxRetries 0', async () => {
    const s = await stack();
    s.channel.inject({ type: 'unavailable', method: 'CreateEntitlement', times: 2 });
    await s.worker();
    const [queued] = (await s.producer.enqueue([channelItem('retry', 2)])).items;
    if (!queued || queued.outcome === 'refused') throw new Error('expected it queued');
    await queued.result();
    const creates = s.channel.calls.filter((call) => call.method === 'CreateEntitlement');
    // Three requests, one per job attempt: with the adapter's own retries the first attempt
    // would have sent all three and the job would show no retry.
    expect(creates.map((call) => call.code)).toEqual([14, 14, 0]);
    const queue = new Queue(itemQueueName(s.queueName, 'google-channel'), { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    // BullMQ counts the attempt that completed too.
    expect((await queue.getJob(queued.jobId))?.attemptsMade).toBe(3);
    expect(s.events.filter((event) => event.type === 'retry')).toHaveLength(2);
  });

  it('a create whose answer was lost is sent again with the same key: one operation', async () => {
    const s = await stack();
    s.channel.inject({ type: 'drop-after-create', times: 1 });
    await s.worker();
    const [queued] = (await s.producer.enqueue([channelItem('dropped', 4)])).items;
    if (!queued || queued.outcome === 'refused') throw new Error('expected it queued');
    await queued.result();
    const creates = s.channel.calls.filter((call) => call.method === 'CreateEntitlement');
    expect(creates).toHaveLength(2);
    expect(new Set(creates.map((call) => call.requestId)).size).toBe(1);
    expect(s.channel.operations()).toHaveLength(1);
    expect(s.channel.entitlements()).toHaveLength(1);
  });
});

describe('recovery', () => {
  it('a job whose token was written resumes the operation from it: no second create', async () => {
    const s = await stack();
    const items = [channelItem('resume', 6), confluentItem('resume', 7)];
    // As if a worker had died right after updateData: the operations exist, their tokens are in the jobs.
    const report = await s.producer.enqueue(items);
    // The Cloud Channel request without its idempotencyKey (a call option, not a request field).
    const { idempotencyKey: _key, ...channelRequest } = items[0] as Record<string, unknown>;
    const tokens = [
      (await s.provisioner.create(channelRequest as never, { idempotencyKey: 'resume-order-6' })).token,
      (await s.provisioner.create(items[1] as never)).token,
    ];
    for (const [index, vendor] of ['google-channel', 'confluent'].entries()) {
      const queue = new Queue(itemQueueName(s.queueName, vendor), { connection: { url: redis.url } });
      onTestFinished(() => queue.close());
      const item = report.items[index];
      if (!item || item.outcome === 'refused') throw new Error('expected it queued');
      const job = await queue.getJob(item.jobId);
      await job?.updateData({ ...job.data, token: tokens[index], tokenAt: Date.now() });
    }
    await s.worker();
    const results = await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    expect(results.map((result) => result.token)).toEqual(tokens);
    expect(s.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(1);
    expect(s.confluent.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(s.events.filter((event) => event.type === 'created')).toEqual([]);
    expect(s.channel.entitlements()).toHaveLength(1);
    expect(s.confluent.entitlements()).toHaveLength(1);
  });
});

describe('quota answers', () => {
  it('pause the whole queue (every worker) for Retry-After, spending no attempt', async () => {
    const s = await stack({ confluentRateLimit: { requests: 4, perMs: 1_000 } });
    // Two workers, as on two machines; Confluent is unpaced by default.
    await s.worker();
    await s.worker();
    const report = await s.producer.enqueue(
      Array.from({ length: 8 }, (_, index) => confluentItem('quota', index)),
    );
    await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    const paused = s.events.filter((event) => event.type === 'rate-limited');
    expect(paused.length).toBeGreaterThan(0);
    expect(paused.every((event) => event.type === 'rate-limited' && event.pauseMs >= 1_000)).toBe(true);
    const requests = s.confluent.requests;
    const first429 = requests.findIndex((request) => request.status === 429);
    const at = Date.parse(requests[first429]?.time ?? '');
    // Requests already on their way may still arrive; after that nothing until the pause ends.
    const during = requests.filter((request) => {
      const time = Date.parse(request.time);
      return time > at + 300 && time < at + 900;
    });
    expect(during).toEqual([]);
    // Without the pause, the workers would take the jobs back at once and storm into 429s; with
    // it, only the requests in flight when the first 429 came (at most 2 workers x 10) meet one.
    expect(requests.filter((request) => request.status === 429).length).toBeLessThanOrEqual(20);
    const queue = new Queue(itemQueueName(s.queueName, 'confluent'), { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    const jobs = await queue.getCompleted();
    expect(jobs).toHaveLength(8);
    // One attempt each, the one that completed: a rate-limit answer puts a job back without one.
    expect(jobs.map((job) => job.attemptsMade)).toEqual(Array(8).fill(1));
    expect(s.confluent.entitlements()).toHaveLength(8);
  });
});

describe('graceful close', () => {
  it('loses nothing: running steps finish, the rest waits for the next worker', async () => {
    const s = await stack();
    const items = mixedItems('drain', 40);
    const report = await s.producer.enqueue(items);
    const worker = await s.worker({ concurrency: 2 });
    await s.until((event) => event.type === 'done');
    await worker.close();
    const status = await getQueueStatus({
      connection: redis.url,
      queueName: s.queueName,
      vendors: ['confluent', 'google-channel'],
    });
    expect(status.queues.map((queue) => queue.counts.active)).toEqual([0, 0, 0, 0]);
    expect(status.queues.map((queue) => queue.counts.failed)).toEqual([0, 0, 0, 0]);
    const unfinished = status.queues.reduce(
      (sum, queue) => sum + queue.counts.waiting + queue.counts.delayed + queue.counts.prioritized,
      0,
    );
    expect(unfinished).toBeGreaterThan(0);
    await s.worker();
    await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    expect(s.confluent.entitlements()).toHaveLength(20);
    expect(s.channel.entitlements()).toHaveLength(20);
    expect(duplicates(s.channel.operations().map((operation) => operation.requestId ?? ''))).toEqual([]);
  });
});
