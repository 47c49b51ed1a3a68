/**
 * The queue's bench (`npm exec -- node bench/queue.ts`): a private redis-server, the emulators in
 * a child process, `entitlements worker` processes.
 *
 * - Cluster pacing: 1, 2 and 3 workers against a Confluent quota enforced by the emulator
 *   (600 requests per 24 s; 700 requests sent, so that its first window fills): requests served per second in the steady state (the middle 90% of
 *   the requests) divided by the quota, and the quota errors (429) the emulator served.
 * - Recovery: a worker dies (SIGKILL) while the emulator holds the answer to its create; the time
 *   until another worker starts the job again, with the test settings (lock 1.5 s, stalled check
 *   every 0.75 s) and with 5 s / 5 s. BullMQ's defaults (30 s / 30 s) take about a minute.
 * - Redis commands per item (INFO commandstats before and after 200 items through one worker, per
 *   vendor), the idle polling of the workers included.
 * - The engine's ceiling: items per second through one in-process worker and a no-op vendor (an
 *   in-memory EntitlementProvisioner), against the quotas the vendors publish.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { EntitlementError } from '../src/core/errors.ts';
import type { CallOptions, ProvisioningOperation } from '../src/core/types.ts';
import { createProducer, createWorker, itemQueueName, type WorkerProvisioner } from '../src/queue/index.ts';
import { confluentItem, mixedItems } from '../test/queue/fixtures.ts';
import {
  type EmulatorsConfig,
  startEmulators,
  startWorker,
  type WorkerProcess,
} from '../test/queue/processes.ts';
import { type RedisServer, startRedisServer } from '../test/queue/redis-server.ts';

const QUOTA = { requests: 600, perMs: 24_000 };

async function withCluster<T>(
  redis: RedisServer,
  config: EmulatorsConfig,
  workerArgs: readonly string[],
  run: (context: {
    queueName: string;
    start(): Promise<WorkerProcess>;
    workers: WorkerProcess[];
    emulators: Awaited<ReturnType<typeof startEmulators>>;
  }) => Promise<T>,
): Promise<T> {
  const emulators = await startEmulators(config);
  const queueName = `b${randomUUID().slice(0, 8)}`;
  const workers: WorkerProcess[] = [];
  try {
    return await run({
      queueName,
      workers,
      emulators,
      async start() {
        const worker = startWorker(redis.url, ['--queue-name', queueName, ...workerArgs], emulators.env);
        workers.push(worker);
        await worker.ready;
        return worker;
      },
    });
  } finally {
    for (const worker of workers) await worker.kill('SIGKILL');
    await emulators.close();
  }
}

async function pacing(
  redis: RedisServer,
  workerCount: number,
): Promise<{ ratio: number; quotaErrors: number }> {
  return withCluster(
    redis,
    { channelCustomers: 1, confluentRateLimit: QUOTA },
    ['--concurrency', '6', '--poll-interval', '20', '--rate', `confluent=${QUOTA.requests}/${QUOTA.perMs}ms`],
    async ({ queueName, start, emulators }) => {
      for (let i = 0; i < workerCount; i++) await start();
      const producer = await createProducer({ connection: redis.url, queueName });
      try {
        const report = await producer.enqueue(
          Array.from({ length: 350 }, (_, index) => confluentItem('pace', index)),
        );
        await Promise.all(
          report.items.map((item) =>
            item.outcome === 'refused' ? Promise.reject(item.error) : item.result(),
          ),
        );
      } finally {
        await producer.close();
      }
      const { requests } = (await emulators.stats()).confluent;
      const times = requests.map((request) => Date.parse(request.time)).sort((a, b) => a - b);
      const middle = times.slice(Math.floor(times.length * 0.05), Math.ceil(times.length * 0.95));
      const span = (middle.at(-1) as number) - (middle[0] as number);
      return {
        ratio: (middle.length - 1) / span / (QUOTA.requests / QUOTA.perMs),
        quotaErrors: requests.filter((request) => request.status === 429).length,
      };
    },
  );
}

/** Milliseconds from the SIGKILL of the worker running a job to the job's next start (another worker). */
async function recovery(redis: RedisServer, lockMs: number, stalledMs: number): Promise<number> {
  return withCluster(
    redis,
    { channelCustomers: 1 },
    ['--lock-duration', String(lockMs), '--stalled-interval', String(stalledMs)],
    async ({ queueName, start, workers, emulators }) => {
      await start();
      await start();
      const name = itemQueueName(queueName, 'confluent');
      const events = new QueueEvents(name, { connection: { url: redis.url } });
      const queue = new Queue(name, { connection: { url: redis.url } });
      const producer = await createProducer({ connection: redis.url, queueName });
      try {
        await events.waitUntilReady();
        const held = emulators.hold();
        const [item] = (await producer.enqueue([confluentItem(`recover-${lockMs}`, 1)])).items;
        if (!item || item.outcome === 'refused') throw new Error('not queued');
        await held;
        const job = await queue.getJob(item.jobId);
        const pid = Number(
          String(job?.processedBy ?? '')
            .split(':')
            .at(-1),
        );
        const victim = workers.find((worker) => worker.pid === pid);
        if (!victim) throw new Error(`no worker ${pid} holds the job`);
        const resumed = new Promise<number>((resolve) => {
          events.on('active', ({ jobId }) => {
            if (jobId === item.jobId) resolve(performance.now());
          });
        });
        const killedAt = performance.now();
        await victim.kill('SIGKILL');
        emulators.release();
        const at = await resumed;
        await item.result();
        return at - killedAt;
      } finally {
        await producer.close();
        await events.close();
        await queue.close();
      }
    },
  );
}

async function commandsPerItem(
  redis: RedisServer,
  vendor: 'confluent' | 'google-channel',
): Promise<{ perItem: number; top: string; bytesPerItem: number }> {
  const client = new Redis(redis.url);
  const stats = async () => {
    const text = await client.info('commandstats');
    const calls = new Map<string, number>();
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      calls.set(match[1] as string, Number(match[2]));
    return calls;
  };
  const memory = async () =>
    Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1] ?? Number.NaN);
  const N = 200;
  try {
    return await withCluster(
      redis,
      { channelCustomers: N * 2 },
      [
        '--concurrency',
        '10',
        '--poll-interval',
        '50',
        '--rate',
        'google-channel:create=100000/min',
        '--rate',
        'google-channel:poll=100000/min',
      ],
      async ({ queueName, start }): Promise<{ perItem: number; top: string; bytesPerItem: number }> => {
        await start();
        const producer = await createProducer({ connection: redis.url, queueName });
        try {
          const items = mixedItems(`cmd-${vendor}`, N * 2).filter((item) => item.vendor === vendor);
          const before = await stats();
          const memoryBefore = await memory();
          const report = await producer.enqueue(items);
          await Promise.all(
            report.items.map((item) =>
              item.outcome === 'refused' ? Promise.reject(item.error) : item.result(),
            ),
          );
          const after = await stats();
          const bytesPerItem = ((await memory()) - memoryBefore) / items.length;
          const deltas = [...after].map(([name, calls]) => [name, calls - (before.get(name) ?? 0)] as const);
          const total = deltas.reduce((sum, [name, calls]) => (name === 'info' ? sum : sum + calls), 0);
          const top = deltas
            .filter(([name]) => name !== 'info')
            .sort((a, b) => b[1] - a[1])
            .slice(0, 8)
            .map(([name, calls]) => `${name} ${(calls / items.length).toFixed(1)}`)
            .join(', ');
          return { perItem: total / items.length, top, bytesPerItem };
        } finally {
          await producer.close();
        }
      },
    );
  } finally {
    client.disconnect();
  }
}

/** A vendor that answers at once, in memory: create is pending, the first poll finishes it. */
function noopVendor(): WorkerProvisioner {
  const operation = (token: string): ProvisioningOperation<'noop'> => {
    const entitlement = {
      vendor: 'noop' as const,
      id: token.slice(-12),
      state: 'active' as const,
      product: 'p',
      plan: 'q',
      raw: {},
    };
    const meta = { vendor: 'noop', attempts: 1, durationMs: 0 };
    let status: ProvisioningOperation<'noop'>['status'] = { done: false };
    // A variable, not a literal returned: the contract may grow fields this no-op has no use for.
    const handle = {
      vendor: 'noop' as const,
      polls: 0,
      token,
      replayed: false,
      meta,
      get done() {
        return status.done;
      },
      get status() {
        return status;
      },
      async poll() {
        status = { done: true, entitlement };
        return status;
      },
      async wait() {
        return entitlement;
      },
      async cancel() {},
    };
    return handle;
  };
  return {
    vendor: 'noop',
    async create(_request: unknown, options: CallOptions = {}) {
      if (!options.idempotencyKey)
        throw new EntitlementError({ kind: 'invalid-argument', vendor: 'noop', message: 'key' });
      return operation(`noop.${options.idempotencyKey}`);
    },
    async resume(token: string) {
      return operation(token);
    },
  };
}

async function ceiling(redis: RedisServer, count: number): Promise<number> {
  const queueName = `n${randomUUID().slice(0, 8)}`;
  const worker = await createWorker({
    connection: redis.url,
    queueName,
    provisioner: noopVendor(),
    concurrency: 50,
    polling: { initialDelayMs: 0, multiplier: 1, maxDelayMs: 0 },
  });
  const producer = await createProducer({ connection: redis.url, queueName });
  try {
    await worker.ready();
    const items = Array.from({ length: count }, (_, index) => ({
      vendor: 'noop',
      idempotencyKey: `noop-${index}`,
      n: index,
    }));
    const started = performance.now();
    const report = await producer.enqueue(items);
    await Promise.all(
      report.items.map((item) => (item.outcome === 'refused' ? Promise.reject(item.error) : item.result())),
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    await producer.close();
    await worker.close();
  }
}

export async function benchQueue(): Promise<void> {
  const redis = await startRedisServer();
  try {
    console.log(
      `\nQueue (BullMQ ${(await import('bullmq/package.json', { with: { type: 'json' } })).default.version} on a private redis-server, worker processes of the CLI; load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}):`,
    );
    for (const workers of [1, 2, 3]) {
      const { ratio, quotaErrors } = await pacing(redis, workers);
      console.log(
        `  pacing, ${workers} worker${workers > 1 ? 's' : ' '}: achieved/quota ${ratio.toFixed(3)} (${QUOTA.requests} per ${QUOTA.perMs / 1000} s, one bucket for creates and reads), quota errors served ${quotaErrors}`,
      );
    }
    for (const [lock, stalled] of [
      [1_500, 750],
      [5_000, 5_000],
    ] as const) {
      const ms = await recovery(redis, lock, stalled);
      console.log(
        `  recovery: lock ${lock} ms, stalled check every ${stalled} ms: a dead worker's job started again after ${(ms / 1000).toFixed(2)} s`,
      );
    }
    for (const vendor of ['confluent', 'google-channel'] as const) {
      const { perItem, top, bytesPerItem } = await commandsPerItem(redis, vendor);
      console.log(
        `  Redis per ${vendor} item: ${perItem.toFixed(1)} commands, scripts' own included (${top}, ...); ${(bytesPerItem / 1024).toFixed(1)} KiB kept per finished item`,
      );
    }
    const rate = await ceiling(redis, Number(process.env.BENCH_QUEUE_ITEMS ?? 3_000));
    console.log(
      `  engine ceiling, no-op vendor, one worker process: ${rate.toFixed(0)} items/s (a create and a poll each) = ${(rate / 2).toFixed(0)}x Cloud Channel's create quota (2/s), ${(rate / 10).toFixed(0)}x its poll quota (10/s)`,
    );
  } finally {
    await redis.stop();
  }
}

if (import.meta.main) await benchQueue();
