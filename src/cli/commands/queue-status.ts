/**
 * `entitlements queue status`: where the Redis queues stand: jobs by state per queue, jobs
 * finished per minute, a pause after a vendor's rate-limit answer, and the latest failures with
 * their error.
 */
import type { Command } from 'commander';
import { examples } from '../help.ts';
import { type GlobalFlags, parsePositiveInteger } from '../options.ts';
import type { Output } from '../output.ts';
import { addRedisOptions, type RedisFlags, redisUrl } from './worker.ts';

type OutputFor = (command: Command) => Output;

interface StatusFlags extends GlobalFlags, RedisFlags {
  vendor?: string[];
  failures?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerQueueStatus(program: Command, outputFor: OutputFor): void {
  const queue = program.command('queue').description('the Redis queues of `entitlements worker`');
  const status = queue
    .command('status')
    .description('jobs by state per queue, finished per minute, rate-limit pauses and the latest failures')
    .option('--vendor <vendor>', 'only this vendor (repeatable; default: every built-in vendor)', collect)
    .option('--failures <n>', 'failures listed per queue (default 10)', parsePositiveInteger);
  addRedisOptions(status);
  examples(queue, ['entitlements queue status']);
  examples(status, [
    'REDIS_URL=redis://127.0.0.1:6379 entitlements queue status',
    'entitlements --json queue status --vendor confluent',
  ]);
  status.action(async (_options: unknown, self: Command) => {
    const flags = self.optsWithGlobals<StatusFlags>();
    const output = outputFor(self);
    const connection = redisUrl(self, flags, output.env);
    const { getQueueStatus } = await import('../../queue/index.ts');
    const result = await getQueueStatus({
      connection,
      ...(flags.queueName !== undefined ? { queueName: flags.queueName } : {}),
      ...(flags.vendor ? { vendors: flags.vendor } : {}),
      ...(flags.failures !== undefined ? { failures: flags.failures } : {}),
    });
    output.result(result, () => {
      const rows = result.queues.map((entry) => [
        entry.name,
        String(entry.counts.waiting + entry.counts.prioritized),
        String(entry.counts.active),
        String(entry.counts.delayed),
        String(entry.counts.completed),
        String(entry.counts.failed),
        `${entry.rate.lastMinute} (5 min: ${entry.rate.perMinute5.toFixed(1)})`,
        entry.pausedForMs > 0 ? `paused ${entry.pausedForMs} ms` : '',
      ]);
      const lines = [
        output.table(
          ['queue', 'waiting', 'active', 'delayed', 'completed', 'failed', 'finished/min', ''],
          rows,
        ),
      ];
      const failures = result.queues.flatMap((entry) =>
        entry.failures.map((failure) => ({ entry, failure })),
      );
      if (failures.length > 0) {
        lines.push('', output.style('bold', 'Latest failures'));
        for (const { entry, failure } of failures)
          lines.push(
            `  ${entry.vendor} ${failure.key}: ${String(failure.error.kind)}: ${String(failure.error.message)}${failure.failedAt ? ` (${failure.failedAt})` : ''}`,
          );
      }
      return lines.join('\n');
    });
  });
}
