/**
 * `npm run bench`: what the library costs, as ratios against baselines measured in the same run
 * (this machine is shared and noisy: absolute times mean little, ratios between neighbours do).
 * It measures the built package (bench/dist.ts builds it first), with the emulators in a process
 * of their own (bench/emulators-process.ts):
 *
 * 1. cold start: import + first call of each entry in fresh processes, against the bare SDK doing
 *    the same (bench/cold-start.ts);
 * 2. Confluent per call: create and get vs bare openapi-fetch, on loopback and on an in-process
 *    fetch stub, latency and CPU (bench/confluent.ts);
 * 3. Cloud Channel create + wait vs bare google-gax, and client construction (bench/google.ts);
 * 4. the batch bench (bench/batch.ts) and the queue bench (bench/queue.ts, when redis-server is
 *    on PATH).
 *
 * Results go to bench/results/latest.json (the run before to previous.json), and the ratio
 * changes since the previous run are printed. `--json` prints the JSON on stdout (the report then
 * goes to stderr). Settings: BENCH_ONLY=cold,confluent,google,batch,queue (default: all),
 * BENCH_ROUNDS (15), BENCH_ITERATIONS (Confluent loopback calls per case, 3000),
 * BENCH_STUB_FACTOR (the stub makes that many times more, 15), BENCH_GOOGLE_ITERATIONS (600),
 * BENCH_COLD_ROUNDS (11), BENCH_NO_BUILD=1 (reuse the last build), and those of bench/batch.ts
 * (BENCH_BATCH_ITEMS: 10000 here, 30000 when it runs alone) and bench/queue.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchColdStart, reportColdStart } from './cold-start.ts';
import {
  benchConfluentLoopback,
  benchConfluentStub,
  type ConfluentEntry,
  type ConfluentFigures,
  reportConfluent,
} from './confluent.ts';
import { buildPackage, entryUrl, PACKAGE } from './dist.ts';
import { startEmulatorsProcess } from './emulators.ts';
import { benchGoogle, type GoogleChannelEntry, reportGoogle } from './google.ts';
import { type CallFigures, callRatios } from './harness.ts';
import { type BenchResults, type Goal, ratioChanges, readPrevious, writeResults } from './results.ts';

const PARTS = ['cold', 'confluent', 'google', 'batch', 'queue'] as const;
type Part = (typeof PARTS)[number];

const json = process.argv.includes('--json');
const only = process.env.BENCH_ONLY?.split(',').map((part) => part.trim());
const unknown = only?.filter((part) => !(PARTS as readonly string[]).includes(part));
if (unknown?.length)
  throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.join(',')}`);
const runs = (part: Part) => !only || only.includes(part);
const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const settings = {
  rounds: setting('BENCH_ROUNDS', 15),
  iterations: setting('BENCH_ITERATIONS', 3_000),
  stubFactor: setting('BENCH_STUB_FACTOR', 15),
  googleIterations: setting('BENCH_GOOGLE_ITERATIONS', 600),
  coldRounds: setting('BENCH_COLD_ROUNDS', 11),
};
// The batch bench streams 30k items when run alone; 10k here keeps the whole run to a few minutes.
process.env.BENCH_BATCH_ITEMS ??= '10000';

// With --json, stdout carries the JSON only: everything printed goes to stderr.
const print = console.log;
if (json) console.log = (...args: unknown[]) => console.error(...args);

const GOALS: Goal[] = [
  {
    ratio: 'cold.confluent',
    max: 1.25,
    label: 'cold start, entitlement-provisioner/confluent vs openapi-fetch',
  },
  { ratio: 'cold.root', max: 1.25, label: 'cold start, entitlement-provisioner (facade) vs openapi-fetch' },
  {
    ratio: 'cold.google-channel',
    max: 1.15,
    label: 'cold start, entitlement-provisioner/google-channel vs google-gax',
  },
  { ratio: 'loopback.create.p50', max: 1.1, label: 'Confluent create on loopback vs openapi-fetch' },
  { ratio: 'loopback.get.p50', max: 1.1, label: 'Confluent get on loopback vs openapi-fetch' },
  { ratio: 'stub.create.p50', max: 1.3, label: 'Confluent create on the stub vs openapi-fetch' },
  { ratio: 'stub.get.p50', max: 1.3, label: 'Confluent get on the stub vs openapi-fetch' },
  { ratio: 'google.createWait.p50', max: 1.1, label: 'Cloud Channel create + wait vs google-gax' },
];

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((directory) => existsSync(join(directory, binary)));
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'generated', 'bench'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** Runs `part`, keeping what it prints (the batch and queue benches report by printing). */
async function capture(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
    log(...args);
  };
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines;
}

function confluentRatios(prefix: string, figures: ConfluentFigures, ratios: Record<string, number>): void {
  for (const [operation, row] of Object.entries(figures)) {
    const bare = row['openapi-fetch'] as CallFigures;
    for (const [variant, suffix] of [
      ['library', ''],
      ['library, fetch option', '.fetchOption'],
    ] as const) {
      const figure = row[variant];
      if (!figure) continue;
      const { p50, cpu } = callRatios(figure, bare);
      ratios[`${prefix}.${operation}.p50${suffix}`] = p50;
      ratios[`${prefix}.${operation}.cpu${suffix}`] = cpu;
    }
  }
}

const previous = readPrevious();
const results: BenchResults = {
  version: 1,
  date: new Date().toISOString(),
  node: process.version,
  commit: commit(),
  loadAverage: loadavg(),
  settings: { ...settings, ...(only ? { only: only.join(',') } : {}) },
  ratios: {},
  goals: [],
  figures: {},
  printed: {},
  skipped: {},
};

console.log(
  `entitlement-provisioner bench, Node ${process.version}, commit ${results.commit}, load average ${results.loadAverage.map((load) => load.toFixed(1)).join(' ')}`,
);
const measured = runs('cold') || runs('confluent') || runs('google');
if (measured) {
  let packageUrl: URL;
  if (process.env.BENCH_NO_BUILD === '1' && existsSync(join(PACKAGE, 'package.json'))) {
    console.log(`Measuring the last build in ${PACKAGE} (BENCH_NO_BUILD=1).`);
    packageUrl = pathToFileURL(`${PACKAGE}/`);
  } else {
    console.log(`Building the package (tsc -p tsconfig.build.json, as npm run build) into ${PACKAGE} ...`);
    packageUrl = buildPackage();
  }
  const emulators = await startEmulatorsProcess();
  try {
    if (runs('cold')) {
      const cold = await benchColdStart(emulators, packageUrl, settings.coldRounds);
      reportColdStart(cold);
      results.figures.coldStart = cold;
      for (const [entry, ratio] of Object.entries(cold.ratios)) {
        results.ratios[`cold.${entry}`] = ratio.total;
        results.ratios[`cold.${entry}.fromProcessStart`] = ratio.sinceStart;
        results.ratios[`cold.${entry}.cpu`] = ratio.cpu;
      }
    }
    if (runs('confluent')) {
      const entry = (await import(entryUrl('./confluent'))) as ConfluentEntry;
      console.log(
        `\nConfluent per call: ${settings.iterations} calls per case on loopback, ${settings.iterations * settings.stubFactor} on the stub, in ${settings.rounds} rounds (order rotated, warm-up each round); median latency of the rounds' medians, this process's CPU per call (user + system, every thread), ratios the median of each round's own ratio`,
      );
      const loopback = await benchConfluentLoopback(
        entry,
        emulators.confluentUrl,
        settings.iterations,
        settings.rounds,
      );
      await emulators.reset();
      reportConfluent(
        'Confluent emulator on loopback (HTTP over 127.0.0.1, emulator in another process):',
        loopback,
      );
      const stub = await benchConfluentStub(
        entry,
        settings.iterations * settings.stubFactor,
        settings.rounds,
      );
      reportConfluent(
        'In-process fetch stub (no socket: client-side overhead only; "library" takes the stub as its global fetch, "library, fetch option" as its fetch option):',
        stub,
      );
      results.figures.confluent = { loopback, stub };
      confluentRatios('loopback', loopback, results.ratios);
      confluentRatios('stub', stub, results.ratios);
    }
    if (runs('google')) {
      const entry = (await import(entryUrl('./google-channel'))) as GoogleChannelEntry;
      const google = await benchGoogle(entry, emulators, settings.googleIterations, settings.rounds);
      reportGoogle(google);
      results.figures.google = google;
      const { library, 'bare gax': bare } = google.createWait;
      const { p50, cpu } = callRatios(library, bare);
      results.ratios['google.createWait.p50'] = p50;
      results.ratios['google.createWait.cpu'] = cpu;
      results.ratios['google.construction.fullOverPruned'] =
        google.construction.fullMs / google.construction.prunedMs;
    }
  } finally {
    await emulators.close();
  }
}
if (runs('batch'))
  results.printed.batch = await capture(async () => (await import('./batch.ts')).benchBatch());
if (runs('queue')) {
  if (onPath('redis-server')) {
    results.printed.queue = await capture(async () => (await import('./queue.ts')).benchQueue());
  } else {
    results.skipped.queue = 'no redis-server on PATH';
    console.log(
      '\nQueue bench skipped: it needs redis-server on PATH (apt-get install redis-server, or your package manager).',
    );
  }
}

results.goals = GOALS.filter((goal) => results.ratios[goal.ratio] !== undefined).map((goal) => {
  const value = results.ratios[goal.ratio] as number;
  return { ...goal, value, met: value <= goal.max };
});
if (results.goals.length > 0) {
  console.log('\nGoals (ratios of this run):');
  for (const goal of results.goals)
    console.log(
      `  ${goal.met ? 'met    ' : 'NOT MET'} ${goal.label}: ${goal.value.toFixed(2)}x (goal <= ${goal.max}x)`,
    );
}
const path = writeResults(results);
if (previous) {
  const changes = ratioChanges(previous, results);
  if (changes.length > 0) {
    console.log(`\nRatio changes since the previous run (${previous.date}, commit ${previous.commit}):`);
    for (const line of changes) console.log(line);
  }
}
console.log(`\nResults: ${path}`);
if (json) print(JSON.stringify(results, null, 2));
