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
        onEvent: (event) => events.push(event),
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
  });
});
