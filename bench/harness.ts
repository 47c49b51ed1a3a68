/**
 * How every benchmark here compares variants on a shared, noisy machine: ROUNDS rounds, the
 * variants' order rotated each round (so drift hits all of them alike), a warm-up in each round,
 * tinybench's median per round, and the median of those medians.
 */
import { Bench } from 'tinybench';

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
