/**
 * Several `entitlements worker` processes (the CLI, started one after another) against one
 * emulators process and a private redis-server:
 * - kills: 500 mixed items while workers are SIGKILLed and restarted, once between a create the
 *   emulator committed and its `updateData`: exactly one entitlement per item, every job done;
 * - quota: three workers together serve no quota error and use >= 95% of the quota;
 * - a graceful drain (SIGTERM) loses nothing; `entitlements enqueue` of the same file again is a
 *   no-op, and changed content under a key is refused with its line number.
 * Stalled jobs are recovered within about 2 s here: lockDuration 1500 ms, stalledInterval 750 ms.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createProducer, getQueueStatus, type Producer, type QueueResult } from '../../src/queue/index.ts';
import { confluentItem, duplicates, mixedItems } from './fixtures.ts';
import {
  type EmulatorsConfig,
  type EmulatorsProcess,
  runCli,
  startEmulators,
  startWorker,
  type WorkerProcess,
} from './processes.ts';
import { type RedisServer, startRedisServer } from './redis-server.ts';

let redis: RedisServer;
let scratch: string;

beforeAll(async () => {
  redis = await startRedisServer();
  scratch = await mkdtemp(join(tmpdir(), 'queue-cluster-'));
});
afterAll(async () => {
  await redis?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const RECOVERY = ['--lock-duration', '1500', '--stalled-interval', '750', '--max-stalled', '50'];

interface Cluster {
  emulators: EmulatorsProcess;
  queueName: string;
  producer: Producer;
  workers: WorkerProcess[];
  /** Starts a worker and waits until it is ready (one at a time: never a swarm). */
  start(): Promise<WorkerProcess>;
}

async function cluster(config: EmulatorsConfig, workerArgs: readonly string[]): Promise<Cluster> {
  const emulators = await startEmulators(config);
  const queueName = `c${randomUUID().slice(0, 8)}`;
  const producer = await createProducer({ connection: redis.url, queueName, backoffMs: 50 });
  const workers: WorkerProcess[] = [];
  onTestFinished(async () => {
    for (const worker of workers) await worker.kill('SIGKILL');
    await producer.close();
    await emulators.close();
  });
  return {
    emulators,
    queueName,
    producer,
    workers,
    async start() {
      const worker = startWorker(redis.url, ['--queue-name', queueName, ...workerArgs], emulators.env);
      workers.push(worker);
      await worker.ready;
      return worker;
    },
  };
}

/** Counts results as they come, and resolves waits for a number of them. */
function tracker(promises: readonly Promise<QueueResult>[]) {
  let done = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  for (const promise of promises) {
    void promise.then(
      () => {
        done++;
        for (const waiter of waiters.splice(0)) {
          if (done >= waiter.count) waiter.resolve();
          else waiters.push(waiter);
        }
      },
      () => {},
    );
  }
  return {
    get done() {
      return done;
    },
    atLeast(count: number): Promise<void> {
      if (done >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

describe('worker processes', () => {
  it('500 mixed items, workers SIGKILLed and restarted (once between a create and its updateData): exactly one entitlement each', async () => {
    const N = 500;
    const c = await cluster(
      {
        channelCustomers: N,
        confluentRateLimit: { requests: 25, perMs: 1_000 },
        channelQuota: { createPerMinute: 750, getOperationPerMinute: 750 },
      },
      [
        '--concurrency',
        '8',
        '--poll-interval',
        '50',
        '--rate',
        'confluent=25/s',
        '--rate',
        'google-channel:create=750/min',
        '--rate',
        'google-channel:poll=750/min',
        ...RECOVERY,
      ],
    );
    for (let i = 0; i < 3; i++) await c.start();
    const report = await c.producer.enqueue(mixedItems('kill', N));
    expect(report.added).toBe(N);
    const results = report.items.map((item) =>
      item.outcome === 'refused' ? Promise.reject(item.error) : item.result(),
    );
    const progress = tracker(results);
    const live = () =>
      c.workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

    // A whole-cluster crash while the emulator holds the answer to a create it committed: every
    // worker dies between that create and its updateData.
    await progress.atLeast(40);
    const heldKey = await c.emulators.hold();
    for (const worker of live()) await worker.kill('SIGKILL');
    c.emulators.release();
    for (let i = 0; i < 3; i++) await c.start();

    // Then one worker at a time, repeatedly, while the others go on.
    let kills = 3;
    for (let round = 1; progress.done < N - 60; round++) {
      await progress.atLeast(Math.min(N - 60, 40 + round * 50));
      const victims = live();
      const victim = victims[round % victims.length];
      if (!victim) break;
      await victim.kill('SIGKILL');
      kills++;
      await c.start();
    }
    expect(kills).toBeGreaterThanOrEqual(6);

    const settled = await Promise.allSettled(results);
    expect(settled.filter((result) => result.status === 'rejected')).toEqual([]);

    const stats = await c.emulators.stats();
    const externalIds = stats.confluent.entitlements.map((entitlement) => entitlement.externalId);
    expect(externalIds).toHaveLength(N / 2);
    expect(duplicates(externalIds)).toEqual([]);
    expect(stats.channel.operations).toHaveLength(N / 2);
    expect(duplicates(stats.channel.operations.map((operation) => operation.requestId ?? ''))).toEqual([]);
    expect(duplicates(stats.channel.operations.map((operation) => operation.parent))).toEqual([]);
    expect(stats.channel.entitlements).toBe(N / 2);
    // The held create was committed (201), its sender died, and it was sent again with the same
    // key after recovery (409, reconciled with the entitlement it had made).
    const heldPosts = stats.confluent.requests.filter(
      (request) => request.method === 'POST' && request.externalId === heldKey,
    );
    expect(heldPosts.map((request) => request.status)).toEqual(expect.arrayContaining([201, 409]));
    expect(heldPosts.filter((request) => request.status === 201)).toHaveLength(1);

    const status = await getQueueStatus({ connection: redis.url, queueName: c.queueName });
    const byName = Object.fromEntries(status.queues.map((queue) => [queue.name, queue.counts]));
    expect(byName[`${c.queueName}-confluent`]).toMatchObject({
      completed: N / 2,
      failed: 0,
      active: 0,
      waiting: 0,
      delayed: 0,
    });
    expect(byName[`${c.queueName}-google-channel`]).toMatchObject({
      completed: N / 2,
      failed: 0,
      active: 0,
      waiting: 0,
    });
    expect(byName[`${c.queueName}-google-channel-poll`]).toMatchObject({
      completed: N / 2,
      failed: 0,
      active: 0,
      waiting: 0,
      delayed: 0,
    });
    for (const worker of live()) await worker.kill('SIGTERM');
  }, 150_000);

  it('three workers together serve no quota error and use at least 95% of the quota', async () => {
    const QUOTA = { requests: 600, perMs: 24_000 };
    const c = await cluster({ channelCustomers: 1, confluentRateLimit: QUOTA }, [
      '--concurrency',
      '6',
      '--poll-interval',
      '20',
      '--rate',
      `confluent=${QUOTA.requests}/${QUOTA.perMs}ms`,
    ]);
    for (let i = 0; i < 3; i++) await c.start();
    // 700 requests: more than the emulator's first window allows, so that its limit bites.
    const items = Array.from({ length: 350 }, (_, index) => confluentItem('quota', index));
    const report = await c.producer.enqueue(items);
    await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    const { requests } = (await c.emulators.stats()).confluent;
    // A create and a read per item, each once.
    expect(requests).toHaveLength(700);
    expect(duplicates(requests.filter((r) => r.method === 'POST').map((r) => r.externalId ?? ''))).toEqual(
      [],
    );
    expect(duplicates(requests.filter((r) => r.method === 'GET').map((r) => r.path))).toEqual([]);
    expect(requests.filter((request) => request.status === 429)).toEqual([]);
    // Throughput in the steady state: the middle 90% of the requests (the first ones wait for
    // each worker to load its vendor adapter, the last ones for the last polls).
    const times = requests.map((request) => Date.parse(request.time)).sort((a, b) => a - b);
    const middle = times.slice(Math.floor(times.length * 0.05), Math.ceil(times.length * 0.95));
    const span = (middle.at(-1) as number) - (middle[0] as number);
    const achieved = (middle.length - 1) / span / (QUOTA.requests / QUOTA.perMs);
    // On failure, the gaps say whether the machine stalled (a few long ones) or the pace is off.
    const gaps = middle
      .slice(1)
      .map((time, index) => time - (middle[index] as number))
      .sort((a, b) => a - b);
    const why = `${middle.length} requests in ${span} ms; gaps p50 ${gaps[gaps.length >> 1]} ms, p99 ${gaps[Math.floor(gaps.length * 0.99)]} ms, max ${gaps.at(-1)} ms`;
    expect(achieved, why).toBeGreaterThanOrEqual(0.95);
    expect(achieved, why).toBeLessThanOrEqual(1);
    // Every worker took part.
    const done = await Promise.all(
      c.workers.map(async (worker) => {
        await worker.kill('SIGTERM');
        return Number(/drained: (\d+) created/.exec((await worker.exited).stdout)?.[1] ?? 0);
      }),
    );
    expect(done.map((created) => created > 0)).toEqual([true, true, true]);
  }, 120_000);
});

describe('the CLI', () => {
  it('SIGTERM drains a worker without losing anything; enqueueing the same file again is a no-op; changed content is refused', async () => {
    const c = await cluster({ channelCustomers: 60 }, [
      '--concurrency',
      '4',
      '--poll-interval',
      '20',
      '--rate',
      'confluent=30/s',
      '--rate',
      'google-channel:create=1800/min',
      '--rate',
      'google-channel:poll=1800/min',
    ]);
    const items = mixedItems('drain', 60);
    const file = join(scratch, `${c.queueName}.jsonl`);
    await writeFile(file, `${items.map((item) => JSON.stringify(item)).join('\n')}\n`);
    const cli = (...args: string[]) =>
      runCli([...args, '--redis', redis.url, '--queue-name', c.queueName], c.emulators.env);

    const enqueued = await cli('enqueue', file);
    expect(enqueued.stderr).toContain('60 added, 0 already queued (no-op), 0 refused');
    expect(enqueued.code).toBe(0);

    const first = await c.start();
    const results = (await c.producer.enqueue(items)).items.map((item) =>
      item.outcome === 'refused' ? Promise.reject(item.error) : item.result(),
    );
    const progress = tracker(results);
    await progress.atLeast(10);
    await first.kill('SIGTERM');
    const drained = await first.exited;
    expect(drained.code).toBe(0);
    expect(drained.stderr).toContain('SIGTERM: draining');
    expect(drained.stdout).toMatch(/^drained: \d+ created/m);
    const between = await getQueueStatus({ connection: redis.url, queueName: c.queueName });
    expect(between.queues.map((queue) => queue.counts.active)).toEqual(between.queues.map(() => 0));
    expect(between.queues.map((queue) => queue.counts.failed)).toEqual(between.queues.map(() => 0));
    expect(progress.done).toBeLessThan(60);

    await c.start();
    const settled = await Promise.allSettled(results);
    expect(settled.filter((result) => result.status === 'rejected')).toEqual([]);
    const stats = await c.emulators.stats();
    // Nothing was cut mid-step: no create was sent twice.
    expect(
      stats.confluent.requests
        .filter((request) => request.method === 'POST')
        .map((request) => request.status),
    ).toEqual(Array(30).fill(201));
    expect(stats.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(30);
    expect(stats.confluent.entitlements).toHaveLength(30);
    expect(stats.channel.entitlements).toBe(30);

    const again = await cli('enqueue', file);
    expect(again.stderr).toContain('0 added, 60 already queued (no-op), 0 refused');
    expect(again.code).toBe(0);

    const changed = join(scratch, `${c.queueName}-changed.jsonl`);
    const edited = [
      items[0],
      {
        ...confluentItem('drain', 2),
        entitlement: { ...confluentItem('drain', 2).entitlement, name: 'Renamed' },
      },
      'not json',
    ];
    await writeFile(
      changed,
      `${edited.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n')}\n`,
    );
    const refused = await cli('enqueue', changed, '--json');
    expect(refused.code).toBe(4); // already-exists
    const output = JSON.parse(refused.stdout) as {
      added: number;
      existing: number;
      refused: number;
      items: { line: number; outcome: string; error?: { kind: string; message: string } }[];
    };
    expect(output).toMatchObject({ added: 0, existing: 1, refused: 2 });
    expect(output.items.map((item) => [item.line, item.outcome, item.error?.kind])).toEqual([
      [1, 'existing', undefined],
      [2, 'refused', 'already-exists'],
      [3, 'refused', 'invalid-argument'],
    ]);
    expect(output.items[1]?.error?.message).toMatch(
      /^line 2: key "drain-2" is already queued with other content/,
    );

    const status = await cli('queue', 'status', '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { items: { completed: number; failed: number } };
    expect(parsed.items).toMatchObject({ completed: 60, failed: 0 });
    const human = await cli('queue', 'status');
    expect(human.stdout).toContain(`${c.queueName}-google-channel-poll`);
  }, 90_000);
});
