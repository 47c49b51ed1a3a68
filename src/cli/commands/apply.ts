/**
 * `entitlements apply <file|->`: creates every entitlement of a JSON Lines or CSV file through the
 * library's batch API (paced at the vendors' quotas, recorded in a journal, resumable), with a
 * progress bar on a terminal and plain periodic lines elsewhere, a summary table at the end, and
 * with `--json` one NDJSON result per item on stdout (then one summary line).
 *
 * Exit codes: 0 all done; 7 some items failed; 130 interrupted (Ctrl-C, SIGTERM), resumable: the
 * command that resumes is printed; 3 with `--dry-run` when a line is bad.
 */
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { type ApplyPlan, defaultJournalPath, outcomeOf, resumeCommand, runInfo } from '../../batch/apply.ts';
import type { VendorFleetTraits } from '../../batch/items.ts';
import { BATCH_METHODS, type ParsedRate, parseRate, ratesToQuotas } from '../../batch/rates.ts';
import type { BatchItemResult, BatchProgress, BatchSummary } from '../../batch/types.ts';
import { EntitlementError } from '../../core/errors.ts';
import { listenForInterrupts, provisionerFor, Tally } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { examples } from '../help.ts';
import { formatOption, INPUT_ARGUMENT, INPUT_HELP } from '../input/formats.ts';
import type { InputFormat, InputLine } from '../input/index.ts';
import {
  addChannelConnection,
  addConfluentConnection,
  addWaitOptions,
  type ConnectionFlags,
  checkConnection,
  type GlobalFlags,
  parsePositiveInteger,
  parseRateFlag,
  type WaitFlags,
} from '../options.ts';
import { errorJson, type Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

interface ApplyFlags extends GlobalFlags, ConnectionFlags, WaitFlags {
  journal?: string;
  format?: InputFormat;
  concurrency?: number;
  rate?: string[];
  dryRun?: boolean;
  failFast?: boolean;
  progressInterval: number;
}

const MAX_LISTED_FAILURES = 20;

/** What the action needs beyond the registration: loaded when it runs, never for `--help`. */
async function load() {
  const [batch, entries, progress, input, confluent, channel] = await Promise.all([
    import('../../batch/batch.ts'),
    import('../../batch/entries.ts'),
    import('../../batch/progress.ts'),
    import('../input/index.ts'),
    import('../../vendors/confluent/fleet.ts'),
    import('../../vendors/google-channel/fleet.ts'),
  ]);
  const fleet: Record<string, VendorFleetTraits> = {
    confluent: confluent.confluentFleet,
    'google-channel': channel.googleChannelFleet,
  };
  /** The input's lines as batch entries (a bad line: an entry that fails with its error). */
  const entriesOf = (lines: AsyncIterable<InputLine>) =>
    (async function* () {
      for await (const line of lines)
        yield line.error
          ? entries.batchEntry(line.line, { error: line.error })
          : entries.batchEntry(line.line, { item: line.item });
    })();
  return { ...batch, ...progress, ...input, fleet, entriesOf };
}

type Loaded = Awaited<ReturnType<typeof load>>;

function collectRate(value: string, previous: string[] = []): string[] {
  parseRateFlag(value, BATCH_METHODS, true);
  return [...previous, value];
}

/** The field an error names (vendor details: `field`, Confluent `pointer`, or the input's line detail). */
function fieldOf(error: EntitlementError): string | undefined {
  for (const detail of error.details) {
    const entry = detail as { field?: unknown };
    if (typeof entry?.field === 'string') return entry.field;
  }
  return undefined;
}

function resultJson(result: BatchItemResult, output: Output): Record<string, unknown> {
  const base = {
    line: result.position,
    outcome: result.outcome,
    ...(result.vendor === undefined ? {} : { vendor: result.vendor }),
    ...(result.key === undefined ? {} : { key: result.key }),
    ...(result.token === undefined ? {} : { token: result.token }),
    attempts: result.attempts,
    durationMs: Math.round(result.durationMs),
  };
  if (result.outcome === 'done') {
    const { id, state, plan, product, externalId } = result.entitlement;
    return {
      ...base,
      fromJournal: result.fromJournal,
      entitlement: { id, state, plan, product, ...(externalId === undefined ? {} : { externalId }) },
    };
  }
  if (result.outcome === 'failed')
    return { ...base, error: errorJson(result.error, EXIT.failed, output.redact).error };
  return { ...base, state: result.state };
}

/** Where the input comes from: the format flag, and the run's stdin for `-`. */
function inputOptions(output: Output, flags: ApplyFlags): { format?: InputFormat; stdin: Readable } {
  return { ...(flags.format ? { format: flags.format } : {}), stdin: output.stdin };
}

/** A progress display: a bar (cli-progress) on a terminal, plain lines every `intervalMs` elsewhere. */
async function startProgress(
  output: Output,
  loaded: Loaded,
  total: number | undefined,
  intervalMs: number,
  snapshot: () => BatchProgress,
): Promise<{ stop(): void }> {
  const { ProgressMeter, formatProgressLine, formatEta, formatRates } = loaded;
  const meter = new ProgressMeter(total);
  if (output.json) return { stop() {} };
  if (!output.interactive) {
    const timer = setInterval(() => output.note(formatProgressLine(meter.update(snapshot()))), intervalMs);
    timer.unref();
    return {
      stop() {
        clearInterval(timer);
        output.note(formatProgressLine(meter.update(snapshot())));
      },
    };
  }
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      stream: output.terminal,
      format:
        '{bar} {finished}/{totalText} | {done} done, {failed} failed, {inflight} in flight | ETA {etaText} | per min: {rates}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      fps: 4,
    },
    Presets.shades_classic,
  );
  const payload = () => {
    const figures = meter.update(snapshot());
    return {
      figures,
      values: {
        finished: figures.finished,
        totalText: figures.total === undefined ? '?' : String(figures.total),
        done: figures.done,
        failed: figures.failed,
        inflight: figures.inFlight,
        rates: formatRates(figures) || 'no requests yet',
        etaText: formatEta(figures.etaMs),
      },
    };
  };
  const first = payload();
  bar.start(total ?? Math.max(1, first.figures.finished), first.figures.finished, first.values);
  const timer = setInterval(() => {
    const next = payload();
    if (total === undefined) bar.setTotal(Math.max(1, next.figures.finished + next.figures.inFlight));
    bar.update(next.figures.finished, next.values);
  }, 250);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const last = payload();
      if (total === undefined) bar.setTotal(Math.max(1, last.figures.finished));
      bar.update(last.figures.finished, last.values);
      bar.stop();
    },
  };
}

function summaryTable(output: Output, summary: BatchSummary, failures: BatchItemResult[]): string {
  const vendors = Object.keys(summary.byVendor).sort();
  const rows = vendors.map((vendor) => {
    const counts = summary.byVendor[vendor] ?? { done: 0, failed: 0, interrupted: 0 };
    return [vendor, String(counts.done), String(counts.failed), String(counts.interrupted)];
  });
  rows.push(['total', String(summary.done), String(summary.failed), String(summary.interrupted)]);
  const lines = [output.table(['vendor', 'done', 'failed', 'interrupted'], rows)];
  const kinds = Object.entries(summary.byErrorKind);
  if (kinds.length > 0)
    lines.push(`Failures by kind: ${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')}`);
  if (failures.length > 0) {
    lines.push(
      output.table(
        ['line', 'key', 'kind', 'error'],
        failures.slice(0, MAX_LISTED_FAILURES).map((result) => {
          const error = (result as Extract<BatchItemResult, { outcome: 'failed' }>).error;
          return [String(result.position), result.key ?? '', error.kind, output.redact(error.message)];
        }),
      ),
    );
    if (failures.length > MAX_LISTED_FAILURES)
      lines.push(
        `... and ${failures.length - MAX_LISTED_FAILURES} more (entitlements status --journal shows them)`,
      );
  }
  const ran = summary.total - summary.fromJournal;
  lines.push(
    `${summary.fromJournal} done in an earlier run (from the journal); ${(summary.durationMs / 1000).toFixed(1)} s` +
      (ran > 0
        ? `; per item p50 ${Math.round(summary.itemDurationMs.p50)} ms, p99 ${Math.round(summary.itemDurationMs.p99)} ms`
        : ''),
  );
  return lines.join('\n');
}

async function dryRun(
  output: Output,
  loaded: Loaded,
  source: string,
  flags: ApplyFlags,
  journalPath: string,
): Promise<void> {
  const { existsSync } = await import('node:fs');
  const journal = existsSync(journalPath)
    ? await (await import('../../batch/sqlite-journal.ts')).openSqliteJournal(journalPath, {
        mustExist: true,
      })
    : undefined;
  let lines = 0;
  let bad = 0;
  try {
    for await (const check of loaded.checkBatch(
      loaded.entriesOf(loaded.readInput(source, inputOptions(output, flags))),
      {
        traits: loaded.fleet,
        vendors: Object.keys(loaded.fleet),
        positionLabel: 'line',
        ...(journal ? { journal } : {}),
      },
    )) {
      lines++;
      const field = check.error ? fieldOf(check.error) : undefined;
      if (check.error) bad++;
      if (output.json) {
        output.line({
          line: check.position,
          ok: check.error === undefined,
          ...(check.vendor ? { vendor: check.vendor } : {}),
          ...(check.key ? { key: check.key } : {}),
          ...(field ? { field } : {}),
          ...(check.error
            ? { error: errorJson(check.error, EXIT.invalidArgument, output.redact).error }
            : {}),
        });
      } else if (check.error) {
        output.say(
          `line ${check.position}: ${field ? `${field}: ` : ''}${check.error.message.replace(/^line \d+: /, '')}`,
        );
      }
    }
  } finally {
    await journal?.close();
  }
  output.say(`${lines} lines checked: ${lines - bad} valid, ${bad} invalid; nothing was sent (dry run).`);
  if (bad > 0)
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'input',
      message: `${bad} of ${lines} lines are invalid: fix them (or leave them out) and run again`,
    });
}

export function registerApply(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('apply')
    .argument('<file>', INPUT_ARGUMENT)
    .description(
      'create every entitlement of a file, paced at the vendors’ quotas and recorded in a journal (resumable)',
    )
    .option('--journal <path>', 'the journal file (default: beside the input, <file>.journal)')
    .addOption(formatOption())
    .option('--concurrency <n>', 'requests in flight at once (default 16)', parsePositiveInteger)
    .option(
      '--rate <vendor:method=N/min>',
      "a bucket's rate, repeatable (default: the vendor's published quota; Confluent 600/min), e.g. google-channel:create=60/min; also N/s, N/h, N/90s, N/500ms",
      collectRate,
    )
    .option('--dry-run', 'validate every line and report each bad one with its line and field; send nothing')
    .option('--fail-fast', 'stop at the first failed item (what is in flight is recorded)')
    .option(
      '--progress-interval <ms>',
      'how often progress lines are printed when stderr is not a terminal',
      parsePositiveInteger,
      10_000,
    )
    .addHelpText(
      'after',
      [
        '',
        INPUT_HELP,
        '',
        'It exits 0 when all are done, 7 when some items failed, 130 when interrupted (resumable: the',
        'command is printed), 3 when --dry-run finds a bad line. Run the same command again to resume:',
        'done items are skipped.',
      ].join('\n'),
    );
  addConfluentConnection(command);
  addChannelConnection(command);
  addWaitOptions(command, { noWait: false });
  examples(command, [
    '# against `entitlements emulator` (it prints the variables to export)',
    'entitlements apply examples/orders.jsonl',
    'entitlements apply --dry-run examples/orders.csv',
    'entitlements apply --rate google-channel:create=60/min --concurrency 8 orders.jsonl',
    'cat orders.jsonl | entitlements apply --journal orders.journal -',
    '# where a batch stands, then run the same command again to resume it',
    'entitlements status --journal examples/orders.jsonl.journal',
  ]);
  command.action(async (source: string, _options: unknown, self: Command) => {
    const flags = self.optsWithGlobals<ApplyFlags>();
    checkConnection(self, flags);
    const output = outputFor(self);
    const loaded = await load();
    await loaded.checkSource(source);
    const journalPath = flags.journal ?? defaultJournalPath(source);
    if (flags.dryRun) return dryRun(output, loaded, source, flags, journalPath);

    const rates: ParsedRate[] = (flags.rate ?? []).map(parseRate);
    const plan: ApplyPlan = {
      source,
      journal: journalPath,
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      rates: flags.rate ?? [],
      failFast: flags.failFast === true,
    };
    output.note(`journal: ${journalPath}`);
    const total = await loaded.countItems(source, flags.format);
    const tally = new Tally();
    const provisioner = await provisionerFor(flags, output.env, tally);
    const signals = listenForInterrupts(output.signals);
    const failures: BatchItemResult[] = [];
    let summary: BatchSummary;
    try {
      const run = provisioner.createMany(
        loaded.entriesOf(loaded.readInput(source, inputOptions(output, flags))),
        {
          journal: journalPath,
          runInfo: runInfo(plan),
          signal: signals.signal,
          positionLabel: 'line',
          failFast: plan.failFast,
          ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
          ...(rates.length > 0 ? { quotas: ratesToQuotas(rates) } : {}),
        },
      );
      const progress = await startProgress(output, loaded, total, flags.progressInterval, () =>
        run.progress(),
      );
      try {
        for await (const result of run) {
          if (result.outcome === 'failed') failures.push(result);
          if (output.json) output.line(resultJson(result, output));
        }
        summary = await run.done();
      } finally {
        progress.stop();
      }
    } finally {
      signals.dispose();
      await provisioner.close();
    }
    const outcome = outcomeOf(summary);
    const info = runInfo(plan);
    if (output.json) {
      output.line({
        summary: {
          ...summary,
          outcome,
          journal: journalPath,
          ...(outcome === 'done' ? {} : { resume: resumeCommand(info) }),
        },
      });
    } else {
      output.say(summaryTable(output, summary, failures));
      output.say(`journal: ${journalPath}`);
    }
    if (outcome === 'done') return;
    const resume = resumeCommand(info);
    if (outcome === 'interrupted') {
      output.note(`Interrupted: what was in flight is recorded in the journal. Resume with:\n  ${resume}`);
      throw new EntitlementError({
        kind: 'cancelled',
        vendor: 'batch',
        message: `interrupted${signals.received ? ` (${signals.received})` : ''} after ${summary.done + summary.failed} of ${total ?? summary.total} items; resumable: ${resume}`,
      });
    }
    output.note(`Fix the failed lines and run again (done items are skipped):\n  ${resume}`);
    throw new EntitlementError({
      kind: 'operation-failed',
      vendor: 'batch',
      message: `${summary.failed} of ${summary.total} items failed${summary.stopped === 'fail-fast' ? ' (stopped at the first: --fail-fast)' : ''}`,
    });
  });
}
