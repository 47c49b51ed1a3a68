/**
 * `entitlements status --journal PATH`: where a batch stands, from its journal: items by state and
 * vendor, the runs and how they ended, the failed items and those still in flight, and the command
 * that resumes the batch when it is not finished. Read only: nothing is sent.
 */
import type { Command } from 'commander';
import { lastRun, resumeCommand } from '../../batch/apply.ts';
import { JOURNAL_STATES, type JournalRecord, type JournalState } from '../../batch/journal.ts';
import { examples } from '../help.ts';
import type { Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

const LISTED = 20;

function when(ms: number | undefined): string {
  return ms === undefined
    ? ''
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

function errorText(record: JournalRecord): { kind: string; message: string } {
  const error = record.error ?? {};
  return {
    kind: typeof error.kind === 'string' ? error.kind : 'unknown',
    message: typeof error.message === 'string' ? error.message : '',
  };
}

export function registerStatus(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('status')
    .description('show where a batch stands, from its journal (nothing is sent)')
    .requiredOption(
      '--journal <path>',
      'the journal of `entitlements apply` (it prints the path when it starts)',
    )
    .addHelpText(
      'after',
      '\nIt exits 0 whenever it could read the journal, whatever the batch\'s state (the "state" field of\n--json says it: done, some failed, unfinished, running), and 4 when there is no journal there.',
    );
  examples(command, [
    'entitlements status --journal orders.jsonl.journal',
    'entitlements --json status --journal orders.jsonl.journal',
  ]);
  command.action(async (_options: unknown, command: Command) => {
    const { journal: path } = command.opts<{ journal: string }>();
    const output = outputFor(command);
    const { openSqliteJournal } = await import('../../batch/sqlite-journal.ts');
    const journal = await openSqliteJournal(path, { mustExist: true });
    try {
      const stats = await journal.stats();
      const failed = await journal.list({ states: ['failed'], limit: LISTED });
      const open = await journal.list({ states: ['pending', 'sent', 'created'], limit: LISTED });
      const totals = Object.fromEntries(JOURNAL_STATES.map((state) => [state, 0])) as Record<
        JournalState,
        number
      >;
      const vendors = new Map<string, Record<JournalState, number>>();
      for (const { vendor, state, count } of stats.counts) {
        totals[state] += count;
        const row =
          vendors.get(vendor) ??
          (Object.fromEntries(JOURNAL_STATES.map((s) => [s, 0])) as Record<JournalState, number>);
        row[state] += count;
        vendors.set(vendor, row);
      }
      const items = Object.values(totals).reduce((sum, count) => sum + count, 0);
      const unfinished = totals.pending + totals.sent + totals.created;
      const last = lastRun(stats.runs);
      const running = last !== undefined && last.endedAt === undefined;
      const finished = unfinished === 0 && !running;
      const resume = !finished && last?.info ? resumeCommand(last.info) : undefined;
      const lastFailed = (last?.counts?.failed ?? 0) > 0;
      const state = running
        ? 'running'
        : unfinished > 0
          ? 'unfinished'
          : totals.failed > 0 || lastFailed
            ? 'some failed'
            : 'done';
      output.result(
        {
          journal: journal.location,
          state,
          items,
          byState: totals,
          byVendor: Object.fromEntries(vendors),
          runs: stats.runs,
          failed: failed.map((record) => ({
            key: record.key,
            vendor: record.vendor,
            line: record.position,
            ...errorText(record),
          })),
          inFlight: open.map((record) => ({
            key: record.key,
            vendor: record.vendor,
            line: record.position,
            state: record.state,
            ...(record.token ? { token: record.token } : {}),
          })),
          ...(resume ? { resume } : {}),
        },
        () => {
          const lines = [
            output.fields([
              ['journal', journal.location],
              ['state', state],
              ['items', String(items)],
              ...(last?.counts
                ? ([
                    [
                      'last run',
                      `${last.counts.total} read: ${last.counts.done} done, ${last.counts.failed} failed (bad lines included), ${last.counts.interrupted} interrupted`,
                    ],
                  ] as [string, string][])
                : []),
              ['updated', when(stats.updatedAt)],
            ]),
            '',
            output.table(
              ['vendor', ...JOURNAL_STATES],
              [...vendors].map(([vendor, row]) => [vendor, ...JOURNAL_STATES.map((s) => String(row[s]))]),
            ),
            '',
            output.table(
              ['run', 'started', 'ended', 'outcome'],
              stats.runs.map((run) => [
                String(run.run),
                when(run.startedAt),
                when(run.endedAt),
                run.outcome ?? (run.endedAt ? '' : 'running'),
              ]),
            ),
          ];
          if (failed.length > 0)
            lines.push(
              '',
              'Failed:',
              output.table(
                ['line', 'key', 'kind', 'error'],
                failed.map((record) => {
                  const error = errorText(record);
                  return [String(record.position), record.key, error.kind, output.redact(error.message)];
                }),
              ),
            );
          if (open.length > 0)
            lines.push(
              '',
              'In flight (a re-run resumes these from their tokens, or re-sends them with the same key):',
              output.table(
                ['line', 'key', 'state'],
                open.map((record) => [String(record.position), record.key, record.state]),
              ),
            );
          if (resume) lines.push('', `Resume with:\n  ${resume}`);
          return lines.join('\n');
        },
      );
    } finally {
      await journal.close();
    }
  });
}
