/**
 * What `entitlements apply` and `entitlements status` decide, apart from drawing: where the journal
 * goes by default, what a run records about itself, how a batch's end maps to an outcome, and the
 * command that resumes it.
 */
import { basename, dirname, join, resolve } from 'node:path';
import type { JournalRun } from './journal.ts';
import type { BatchSummary } from './types.ts';

export interface ApplyPlan {
  /** The input file, or `-` for stdin. */
  source: string;
  journal: string;
  format?: 'jsonl' | 'csv';
  concurrency?: number;
  /** `vendor:method=N/min` texts, as given. */
  rates: readonly string[];
  failFast: boolean;
}

/** Beside the input: `orders.jsonl` -> `orders.jsonl.journal`; stdin: `entitlements-apply.journal` here. */
export function defaultJournalPath(source: string, cwd = process.cwd()): string {
  if (source === '-') return resolve(cwd, 'entitlements-apply.journal');
  const path = resolve(cwd, source);
  return join(dirname(path), `${basename(path)}.journal`);
}

/** What a run records in the journal, so that `status` can print how to resume it. */
export function runInfo(plan: ApplyPlan): Record<string, unknown> {
  return {
    source: plan.source === '-' ? '-' : resolve(plan.source),
    journal: resolve(plan.journal),
    ...(plan.format ? { format: plan.format } : {}),
    ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
    ...(plan.rates.length > 0 ? { rates: [...plan.rates] } : {}),
    ...(plan.failFast ? { failFast: true } : {}),
  };
}

function quote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The command line that runs the same batch again with the same journal. */
export function resumeCommand(info: Record<string, unknown>): string {
  const source = typeof info.source === 'string' ? info.source : '-';
  const parts = ['entitlements', 'apply', source === '-' ? '-' : quote(source)];
  if (typeof info.journal === 'string') parts.push('--journal', quote(info.journal));
  if (info.format === 'csv' || info.format === 'jsonl') parts.push('--format', info.format);
  if (typeof info.concurrency === 'number') parts.push('--concurrency', String(info.concurrency));
  if (Array.isArray(info.rates)) for (const rate of info.rates) parts.push('--rate', quote(String(rate)));
  if (info.failFast === true) parts.push('--fail-fast');
  const command = parts.join(' ');
  return source === '-' ? `<the same input> | ${command}` : command;
}

export type ApplyOutcome = 'done' | 'some-failed' | 'interrupted';

/** All done; some failed (the batch went on, or stopped at the first with failFast); interrupted (resumable). */
export function outcomeOf(summary: BatchSummary): ApplyOutcome {
  if (summary.stopped === 'aborted') return 'interrupted';
  if (summary.failed > 0) return 'some-failed';
  if (summary.interrupted > 0) return 'interrupted';
  return 'done';
}

/** The latest run recorded, with its info. */
export function lastRun(runs: readonly JournalRun[]): JournalRun | undefined {
  return runs[runs.length - 1];
}
