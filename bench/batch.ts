/**
 * The batch part of `npm run bench` (also `node bench/batch.ts` alone):
 *
 * 1. Pacing, against emulators enforcing Cloud Channel's published quotas 12 times faster than
 *    real time (a 60 s window lasts 5 s): achieved rate / quota for creates and for polls (polls
 *    saturate: each operation needs 8 of them), and the quota errors the emulators served.
 * 2. Cost and memory: items stream through the batch in a fresh child process (so that its peak RSS
 *    is the library's) against a Confluent emulator in this process with no quota: library CPU
 *    per item (process.cpuUsage), as a ratio against the same creates and polls made through the
 *    bare adapter with the same concurrency (no batch, no journal), per-item latency p50/p99, and
 *    peak RSS / heap while items stream through the SQLite journal (30k by default, to keep
 *    `npm run bench` to a few minutes; BENCH_BATCH_ITEMS=100000 for the 100k figure).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBatch } from '../src/batch/index.ts';
import { createProvisioner } from '../src/provisioner.ts';
import {
  CHANNEL_PUBLISHED_QUOTA,
  startChannelEmulator,
  startConfluentEmulator,
} from '../src/testing/index.ts';
import { CONFLUENT_PLAN_IDS, CONFLUENT_PRODUCT_IDS } from '../src/vendors/confluent/catalog.ts';
import { confluentFleet } from '../src/vendors/confluent/fleet.ts';
import { createConfluentProvisioner } from '../src/vendors/confluent/index.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../src/vendors/confluent/types.ts';

/** The spec's first plan and product ids (another edition of it changes them). */
const PLAN = CONFLUENT_PLAN_IDS[0] as ConfluentPlanId;
const PRODUCT = CONFLUENT_PRODUCT_IDS[0] as ConfluentProductId;
const SELF = fileURLToPath(import.meta.url);
const TOKEN = 'emulator-token';
const ACCOUNT = 'accounts/C0000001';

function rate(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.length < 2) return Number.NaN;
  return ((sorted.length - 1) / ((sorted[sorted.length - 1] as number) - (sorted[0] as number))) * windowMs;
}

async function pacing(): Promise<void> {
  const timeScale = 12;
  const windowMs = 60_000 / timeScale;
  const count = 180;
  const channel = await startChannelEmulator({
    customers: Array.from({ length: count }, (_, index) => ({ name: `${ACCOUNT}/customers/P${index}` })),
    quota: CHANNEL_PUBLISHED_QUOTA,
    timeScale,
    completion: { afterPolls: 8 },
  });
  const provisioner = createProvisioner({
    env: {},
    tracing: false,
    confluent: false,
    googleChannel: { apiEndpoint: '127.0.0.1', port: channel.grpcAddress.port, insecure: true },
  });
  try {
    const items = Array.from({ length: count }, (_, index) => ({
      vendor: 'google-channel' as const,
      idempotencyKey: `bench-${index}`,
      parent: `${ACCOUNT}/customers/P${index}`,
      entitlement: { offer: `${ACCOUNT}/offers/OFFER-GCP` },
    }));
    const scaled = (limit: number) => ({ limit, intervalMs: windowMs });
    const summary = await provisioner
      .createMany(items, {
        quotas: { 'google-channel': { create: scaled(120), poll: scaled(600) } },
        polling: { initialDelayMs: 10, multiplier: 1, maxDelayMs: 10 },
      })
      .done();
    const calls = channel.calls;
    const creates = calls
      .filter((call) => call.method === 'CreateEntitlement')
      .map((call) => Date.parse(call.time));
    const firstCreate = Math.min(...creates);
    const lastCreate = Math.max(...creates);
    // Polls saturate once enough operations are pending (half a window in) and until creates end.
    const polls = calls
      .filter((call) => call.method === 'GetOperation')
      .map((call) => Date.parse(call.time))
      .filter((time) => time >= firstCreate + windowMs / 2 && time <= lastCreate);
    console.log(
      '\nBatch pacing (Cloud Channel emulator, published quotas, time scale 12: a 60 s window lasts 5 s):',
    );
    console.log(
      `  creates: ${creates.length} at ${(rate(creates, windowMs) / 120).toFixed(3)} of the quota (120/min); ` +
        `polls: ${(rate(polls, windowMs) / 600).toFixed(3)} of the quota (600/min, saturated); ` +
        `quota errors served: ${channel.quotaErrors}; done ${summary.done}/${count} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    );
  } finally {
    await provisioner.close();
    await channel.close();
  }
}

interface ChildResult {
  mode: string;
  items: number;
  wallMs: number;
  cpuUs: number;
  peakRss: number;
  peakHeap: number;
  p50Ms?: number;
  p99Ms?: number;
  done?: number;
}

async function* confluentItems(count: number, prefix: string) {
  for (let index = 0; index < count; index++)
    yield {
      vendor: 'confluent',
      entitlement: {
        external_id: `${prefix}-${index}`,
        name: 'Bench',
        plan_id: PLAN,
        product_id: PRODUCT,
      },
    };
}

/**
 * This process's peak RSS and heap from now until `stop()`: sampled every 50 ms, and the RSS
 * also from the kernel's maximum, which sees peaks between samples.
 */
function sampleMemory(): { stop(): { peakRss: number; peakHeap: number } } {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    peakHeap = Math.max(peakHeap, memory.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(sampler);
      sample();
      return { peakRss: Math.max(peakRss, process.resourceUsage().maxRSS * 1024), peakHeap };
    },
  };
}

/** In the child: one mode, measured. */
async function child(mode: string, url: string, count: number, journal: string): Promise<void> {
  const adapter = createConfluentProvisioner({
    baseUrl: url,
    credentials: { type: 'bearer', token: TOKEN },
    polling: { initialDelayMs: 0 },
  });
  const memory = sampleMemory();
  const concurrency = 16;
  const prefix = `${mode}-${process.pid}`;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result: ChildResult = { mode, items: count, wallMs: 0, cpuUs: 0, peakRss: 0, peakHeap: 0 };
  if (mode === 'bare') {
    // The same calls with the same concurrency, without the batch: create, then poll until done.
    const source = confluentItems(count, prefix);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let next = await source.next(); !next.done; next = await source.next()) {
          const operation = await adapter.create(next.value as never, { maxRetries: 0 });
          while (!operation.done) await operation.poll({ maxRetries: 0 });
        }
      }),
    );
  } else {
    const run = createBatch([adapter], confluentItems(count, prefix), {
      concurrency,
      traits: {
        confluent: { ...confluentFleet, polling: { initialDelayMs: 0, multiplier: 1, maxDelayMs: 0 } },
      },
      defaultRate: { limit: 10_000_000, intervalMs: 60_000 },
      ...(mode === 'batch-sqlite' ? { journal } : {}),
    });
    const summary = await run.done();
    Object.assign(result, {
      p50Ms: summary.itemDurationMs.p50,
      p99Ms: summary.itemDurationMs.p99,
      done: summary.done,
    });
  }
  const used = process.cpuUsage(cpu);
  result.wallMs = performance.now() - started;
  result.cpuUs = used.user + used.system;
  Object.assign(result, memory.stop());
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The child runs while this process serves it the emulator: asynchronously. */
async function runChild(mode: string, url: string, count: number, journal: string): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [SELF, '--child', mode, url, String(count), journal],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult;
}

async function cost(): Promise<void> {
  const big = Number(process.env.BENCH_BATCH_ITEMS ?? 30_000);
  const small = Math.min(big, Number(process.env.BENCH_BATCH_COMPARE_ITEMS ?? 5_000));
  const directory = mkdtempSync(join(tmpdir(), 'bench-batch-'));
  const emulator = await startConfluentEmulator();
  try {
    const perItem = (result: ChildResult) => result.cpuUs / result.items;
    // Alternate the modes over two rounds so that drift on this shared machine hits all alike.
    const rounds: ChildResult[][] = [];
    for (let round = 0; round < 2; round++) {
      const order =
        round % 2 ? ['batch-sqlite', 'batch-memory', 'bare'] : ['bare', 'batch-memory', 'batch-sqlite'];
      const results: ChildResult[] = [];
      for (const mode of order)
        results.push(await runChild(mode, emulator.url, small, join(directory, `${mode}-${round}.journal`)));
      rounds.push(results);
      emulator.reset();
    }
    const best = (mode: string) =>
      rounds
        .flat()
        .filter((result) => result.mode === mode)
        .sort((a, b) => perItem(a) - perItem(b))[0] as ChildResult;
    const bare = best('bare');
    const memory = best('batch-memory');
    const sqlite = best('batch-sqlite');
    console.log(
      `\nBatch cost (Confluent emulator on loopback, no quota; create + one poll per item; ${small} items, concurrency 16, best of 2 rounds):`,
    );
    console.log(
      `  CPU per item: bare adapter ${(perItem(bare) / 1000).toFixed(3)} ms | batch, memory journal ${(perItem(memory) / 1000).toFixed(3)} ms (${(perItem(memory) / perItem(bare)).toFixed(2)}x) | batch, SQLite journal ${(perItem(sqlite) / 1000).toFixed(3)} ms (${(perItem(sqlite) / perItem(bare)).toFixed(2)}x)`,
    );
    console.log(
      `  throughput: bare ${Math.round((bare.items / bare.wallMs) * 1000)}/s, batch+SQLite ${Math.round((sqlite.items / sqlite.wallMs) * 1000)}/s; per-item latency (batch+SQLite) p50 ${sqlite.p50Ms?.toFixed(1)} ms, p99 ${sqlite.p99Ms?.toFixed(1)} ms`,
    );
    // The Confluent emulator scales to 100k entitlements (the Cloud Channel emulator settles every
    // operation on each call, which grows with their number).
    const streamed = await runChild('batch-sqlite', emulator.url, big, join(directory, 'big.journal'));
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `  ${big} items streamed through the SQLite journal (Confluent emulator, create + one poll per item, concurrency 16): ${streamed.done} done in ${(streamed.wallMs / 1000).toFixed(1)} s, ` +
        `CPU ${(perItem(streamed) / 1000).toFixed(3)} ms per item, peak RSS ${mb(streamed.peakRss)}, peak heap ${mb(streamed.peakHeap)}, ` +
        `latency p50 ${streamed.p50Ms?.toFixed(1)} ms, p99 ${streamed.p99Ms?.toFixed(1)} ms`,
    );
  } finally {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function benchBatch(): Promise<void> {
  await pacing();
  await cost();
}

if (process.argv[2] === '--child') {
  const [, , , mode = '', url = '', count = '0', journal = ''] = process.argv;
  await child(mode, url, Number(count), journal);
} else if (process.argv[1] === SELF) {
  await benchBatch();
}
