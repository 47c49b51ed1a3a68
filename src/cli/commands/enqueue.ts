/**
 * `entitlements enqueue <file|->`: queues the items of a JSONL or CSV file (or standard input) in
 * Redis for `entitlements worker`. The input is read as `entitlements apply` reads it (the same
 * readers, formats and line-numbered errors: src/cli/input). Enqueueing the same file again is a
 * no-op; other content under a queued key is refused with its line number, as is a line that does
 * not parse. With `--wait` it waits for every item's entitlement.
 */
import type { Command } from 'commander';
import { EntitlementError, isEntitlementError } from '../../core/errors.ts';
import type { EnqueueOutcome, QueueResult } from '../../queue/index.ts';
import { examples } from '../help.ts';
import { formatOption, INPUT_ARGUMENT, INPUT_HELP } from '../input/formats.ts';
import type { InputFormat } from '../input/index.ts';
import { type GlobalFlags, parsePositiveInteger } from '../options.ts';
import type { Output } from '../output.ts';
import { addRedisOptions, type RedisFlags, redisUrl } from './worker.ts';

type OutputFor = (command: Command) => Output;

interface EnqueueFlags extends GlobalFlags, RedisFlags {
  format?: InputFormat;
  horizon?: number;
  wait?: boolean;
  timeout?: number;
}

interface LineOutcome {
  line: number;
  outcome: 'added' | 'existing' | 'refused';
  vendor?: string;
  key?: string;
  jobId?: string;
  error?: Record<string, unknown>;
  result?: QueueResult;
}

export function registerEnqueue(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('enqueue')
    .description('queue the items of a JSONL or CSV file (- for standard input) for `entitlements worker`')
    .argument('<file>', INPUT_ARGUMENT)
    .addOption(formatOption())
    .option(
      '--horizon <ms>',
      'how long finished jobs (and the dedupe of their keys) stay in Redis (default: 7 days)',
      parsePositiveInteger,
    )
    .option('--wait', "wait for every item's entitlement (or failure) and print them")
    .option(
      '--timeout <ms>',
      'with --wait: stop waiting after this long (the jobs go on)',
      parsePositiveInteger,
    )
    .addHelpText('after', `\nThe input is what \`entitlements apply\` takes.\n${INPUT_HELP}`);
  addRedisOptions(command);
  examples(command, [
    'REDIS_URL=redis://127.0.0.1:6379 entitlements enqueue examples/orders.jsonl',
    'entitlements enqueue --wait --timeout 600000 orders.csv',
    'cat orders.jsonl | entitlements enqueue -',
    '# the same file again is a no-op while the jobs are kept (the dedupe horizon)',
  ]);
  command.action(async (file: string, _options: unknown, self: Command) => {
    const flags = self.optsWithGlobals<EnqueueFlags>();
    const output = outputFor(self);
    const connection = redisUrl(self, flags, output.env);
    const [{ createProducer }, input] = await Promise.all([
      import('../../queue/index.ts'),
      import('../input/index.ts'),
    ]);
    await input.checkSource(file);
    const producer = await createProducer({
      connection,
      ...(flags.queueName !== undefined ? { queueName: flags.queueName } : {}),
      ...(flags.horizon !== undefined ? { horizonMs: flags.horizon } : {}),
    });
    try {
      const lines: number[] = [];
      const unreadable: LineOutcome[] = [];
      const refusals = new Map<number, EntitlementError>();
      async function* items() {
        const options = { ...(flags.format ? { format: flags.format } : {}), stdin: output.stdin };
        for await (const entry of input.readInput(file, options)) {
          if (entry.error) {
            refusals.set(entry.line, entry.error);
            unreadable.push({ line: entry.line, outcome: 'refused', error: entry.error.toJSON() });
            continue;
          }
          lines.push(entry.line);
          yield entry.item;
        }
      }
      const report = await producer.enqueue(items());
      const outcomes: LineOutcome[] = [
        ...unreadable,
        ...report.items.map((item: EnqueueOutcome): LineOutcome => {
          const line = lines[item.index] ?? 0;
          if (item.outcome === 'refused') {
            const error = item.error.with({ message: `line ${line}: ${item.error.message}` });
            refusals.set(line, error);
            return {
              line,
              outcome: 'refused',
              ...(item.vendor !== undefined ? { vendor: item.vendor } : {}),
              ...(item.key !== undefined ? { key: item.key } : {}),
              error: error.toJSON(),
            };
          }
          return { line, outcome: item.outcome, vendor: item.vendor, key: item.key, jobId: item.jobId };
        }),
      ].sort((a, b) => a.line - b.line);
      const refused = outcomes.filter((outcome) => outcome.outcome === 'refused');
      for (const outcome of refused) output.note(String(outcome.error?.message));
      output.note(
        `${report.added} added, ${report.existing} already queued (no-op), ${refused.length} refused`,
      );
      let firstFailure: unknown;
      if (flags.wait) {
        const started = Date.now();
        const progress = output.progress(`waiting for ${report.added + report.existing} items`);
        let finished = 0;
        await Promise.all(
          report.items.map(async (item) => {
            if (item.outcome === 'refused') return;
            const outcome = outcomes.find(
              (entry) => entry.jobId === item.jobId && entry.vendor === item.vendor,
            );
            try {
              const timeoutMs =
                flags.timeout === undefined ? undefined : flags.timeout - (Date.now() - started);
              const result = await item.result(
                timeoutMs === undefined ? {} : { timeoutMs: Math.max(1, timeoutMs) },
              );
              if (outcome) outcome.result = result;
            } catch (error) {
              firstFailure ??= error;
              if (outcome)
                outcome.error = isEntitlementError(error) ? error.toJSON() : { message: String(error) };
            }
            progress.update(`${++finished} of ${report.added + report.existing} items finished`);
          }),
        );
        progress.stop();
      }
      output.result(
        { added: report.added, existing: report.existing, refused: refused.length, items: outcomes },
        () => {
          if (!flags.wait) return `${report.added + report.existing} items queued`;
          const rows = outcomes
            .filter((outcome) => outcome.outcome !== 'refused')
            .map((outcome) => [
              String(outcome.line),
              outcome.vendor ?? '',
              outcome.key ?? '',
              outcome.result
                ? `${outcome.result.entitlement.id} ${outcome.result.entitlement.state}`
                : `failed: ${String(outcome.error?.kind ?? '')}`,
            ]);
          return output.table(['line', 'vendor', 'key', 'entitlement'], rows);
        },
      );
      // The exit code is the first refusal's (a bad line 3, a conflict 4), else the first failure's.
      const firstRefusal = [...refusals].sort(([a], [b]) => a - b)[0]?.[1];
      const first = firstRefusal ?? firstFailure;
      if (first) {
        const kind = isEntitlementError(first) ? first.kind : 'internal';
        const count =
          refused.length > 0 ? `${refused.length} of the lines were refused` : 'some items failed';
        throw new EntitlementError({
          kind,
          vendor: 'cli',
          message: `${count}; the first: ${isEntitlementError(first) ? first.message : String(first)}`,
          cause: first,
        });
      }
    } finally {
      await producer.close();
    }
  });
}
