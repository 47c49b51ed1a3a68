/**
 * The bench's results as JSON: `bench/results/latest.json` after every run (the run before it
 * becomes `previous.json`; both are git-ignored), and the ratio changes since the previous run.
 * Ratios are what compares across runs on this shared machine; absolute times are kept for
 * reading, not for comparing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIRECTORY = fileURLToPath(new URL('./results/', import.meta.url));
const LATEST = `${DIRECTORY}latest.json`;
const PREVIOUS = `${DIRECTORY}previous.json`;

export interface Goal {
  /** The ratio it bounds (a key of `ratios`). */
  ratio: string;
  max: number;
  label: string;
}

export interface BenchResults {
  version: 1;
  date: string;
  node: string;
  commit: string;
  loadAverage: number[];
  settings: Record<string, number | string>;
  /** Every ratio of the run by name: library (or entry) over its baseline, lower is better. */
  ratios: Record<string, number>;
  goals: (Goal & { value: number; met: boolean })[];
  /** The figures behind the ratios, per part. */
  figures: Record<string, unknown>;
  /** What the batch and queue benches printed. */
  printed: Record<string, string[]>;
  /** Parts not run, with why. */
  skipped: Record<string, string>;
}

export function readPrevious(): BenchResults | undefined {
  if (!existsSync(LATEST)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(LATEST, 'utf8')) as BenchResults;
    return parsed.version === 1 && typeof parsed.ratios === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `latest.json`, keeping the run before as `previous.json`; returns the path. */
export function writeResults(results: BenchResults): string {
  mkdirSync(DIRECTORY, { recursive: true });
  if (existsSync(LATEST)) renameSync(LATEST, PREVIOUS);
  writeFileSync(LATEST, `${JSON.stringify(results, null, 2)}\n`);
  return LATEST;
}

/** One line per ratio present in both runs: previous -> now, and the change in percent. */
export function ratioChanges(previous: BenchResults, current: BenchResults): string[] {
  const lines: string[] = [];
  for (const [name, now] of Object.entries(current.ratios)) {
    const before = previous.ratios[name];
    if (before === undefined || !Number.isFinite(before) || !Number.isFinite(now)) continue;
    const change = (now / before - 1) * 100;
    lines.push(
      `  ${name.padEnd(44)} ${before.toFixed(2)}x -> ${now.toFixed(2)}x  (${change >= 0 ? '+' : ''}${change.toFixed(1)}%)`,
    );
  }
  return lines;
}
