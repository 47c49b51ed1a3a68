/**
 * How every benchmark here compares variants on a shared, noisy machine: ROUNDS rounds, the
 * variants' order rotated each round (so drift hits all of them alike), a warm-up in each round,
 * tinybench's median per round, and the median of those medians.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';

/**
 * A full garbage collection, run before each measured block: each block then starts from the
 * same heap and pays for its own garbage only, not for what the block before it left.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export const ROUNDS = 5;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median latency in microseconds per variant, over `iterations` calls each. */
export async function compare(
  variants: Record<string, () => Promise<unknown>>,
  iterations: number,
): Promise<Record<string, number>> {
  const entries = Object.entries(variants);
  const perRound = Math.max(10, Math.ceil(iterations / ROUNDS));
  const samples = new Map<string, number[]>(entries.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({
      iterations: perRound,
      warmupIterations: Math.ceil(perRound / 4),
      time: 0,
      warmupTime: 0,
    });
    for (let i = 0; i < entries.length; i++) {
      const [name, fn] = entries[(i + round) % entries.length] as [string, () => Promise<unknown>];
      bench.add(name, fn);
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      samples.get(task.name)?.push(result.latency.p50 * 1000);
    }
  }
  return Object.fromEntries([...samples].map(([name, values]) => [name, median(values)]));
}

/** One variant's figures: median latency per call, and this process's CPU per call. */
export interface CallFigures {
  p50Us: number;
  cpuUs: number;
  /** Each round's figures, in round order (for paired ratios). */
  rounds: { p50Us: number[]; cpuUs: number[] };
}

/**
 * The ratio of `a` to `b` as the median of the rounds' own ratios: neighbours in one round share
 * the machine's load of that moment, so a ratio per round cancels most of the drift between
 * rounds that a ratio of two medians keeps.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  for (let round = 0; round < Math.min(a.length, b.length); round++)
    ratios.push((a[round] as number) / (b[round] as number));
  return median(ratios);
}

/** `pairedRatio` of two variants' latencies and CPU. */
export function callRatios(a: CallFigures, b: CallFigures): { p50: number; cpu: number } {
  return {
    p50: pairedRatio(a.rounds.p50Us, b.rounds.p50Us),
    cpu: pairedRatio(a.rounds.cpuUs, b.rounds.cpuUs),
  };
}

/**
 * Like `compare`, with this process's CPU time per call (process.cpuUsage, user + system) next to
 * the latency: with the server in another process, CPU is the client's own cost, and it does not
 * move when a promise hop reorders the work. Each round runs each variant `iterations / rounds`
 * times after a warm-up of a quarter of that and a full garbage collection, in rotated order;
 * medians of the rounds, and each round's figures for `pairedRatio`.
 */
export async function compareCalls(
  variants: Record<string, () => Promise<unknown>>,
  iterations: number,
  rounds = ROUNDS,
): Promise<Record<string, CallFigures>> {
  const entries = Object.entries(variants);
  const perRound = Math.max(10, Math.ceil(iterations / rounds));
  const warmUp = Math.ceil(perRound / 4);
  const samples = new Map<string, { p50: number[]; cpu: number[] }>(
    entries.map(([name]) => [name, { p50: [], cpu: [] }]),
  );
  const times = new Float64Array(perRound);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < entries.length; i++) {
      const [name, fn] = entries[(i + round) % entries.length] as [string, () => Promise<unknown>];
      for (let call = 0; call < warmUp; call++) await fn();
      collectGarbage();
      const cpu = process.cpuUsage();
      for (let call = 0; call < perRound; call++) {
        const started = performance.now();
        await fn();
        times[call] = performance.now() - started;
      }
      const used = process.cpuUsage(cpu);
      const sample = samples.get(name);
      sample?.p50.push(median([...times]) * 1000);
      sample?.cpu.push((used.user + used.system) / perRound);
    }
  }
  return Object.fromEntries(
    [...samples].map(([name, { p50, cpu }]) => [
      name,
      { p50Us: median(p50), cpuUs: median(cpu), rounds: { p50Us: p50, cpuUs: cpu } },
    ]),
  );
}
