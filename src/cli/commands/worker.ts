/**
 * `entitlements worker`: provisions from the Redis queues (entitlement-provisioner/queue) until
 * SIGTERM or Ctrl-C, which drain it: the running steps finish, everything else waits in Redis for
 * the next worker. A second signal stops at once (the jobs then running are recovered as stalled).
 * Also the Redis flags that `enqueue` and `queue status` share.
 */
import type { Command } from 'commander';
import type { QueueQuotas } from '../../queue/index.ts';
import { listenForInterrupts, provisionerFor, Tally } from '../context.ts';
import { examples } from '../help.ts';
import {
  addChannelConnection,
  addConfluentConnection,
  type ConnectionFlags,
  checkConnection,
  type GlobalFlags,
  parsePositiveInteger,
  parseRateFlag,
} from '../options.ts';
import type { Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

export interface RedisFlags {
  redis?: string;
  queueName?: string;
}

export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'the Redis of the queues (default: $REDIS_URL)')
    .option('--queue-name <name>', 'the queues are <name>-<vendor> (default: entitlements)');
}

/** The Redis URL from --redis, else REDIS_URL; a usage error when neither is there. */
export function redisUrl(
  command: Command,
  flags: RedisFlags,
  env: Record<string, string | undefined>,
): string {
  const url = flags.redis ?? env.REDIS_URL;
  if (!url)
    command.error('error: no Redis: pass --redis redis://host:6379 or set REDIS_URL', {
      exitCode: 2,
      code: 'entitlements.usage',
    });
  return url as string;
}

export interface Rate {
  vendor: string;
  method: 'create' | 'poll' | 'all';
  limit: number;
  intervalMs: number;
}

const WORKER_METHODS = ['create', 'poll'] as const;

/**
 * `--rate`: the grammar `apply` takes (src/batch/rates.ts), the method create or poll; without a
 * method, one bucket for every call of the vendor.
 */
export function parseRate(text: string, previous: Rate[] = []): Rate[] {
  const { vendor, method, quota } = parseRateFlag(text, WORKER_METHODS, false);
  return [...previous, { vendor, method: (method as Rate['method'] | undefined) ?? 'all', ...quota }];
}

export function quotasFrom(rates: readonly Rate[]): QueueQuotas {
  const quotas: QueueQuotas = {};
  for (const { vendor, method, limit, intervalMs } of rates) {
    quotas[vendor] = { ...quotas[vendor], [method]: { limit, intervalMs } };
  }
  return quotas;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface WorkerFlags extends GlobalFlags, ConnectionFlags, RedisFlags {
  concurrency?: number;
  vendor?: string[];
  rate?: Rate[];
  lockDuration?: number;
  stalledInterval?: number;
  maxStalled?: number;
  pollInterval?: number;
}

export function registerWorker(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('worker')
    .description(
      'provision from the Redis queues until SIGTERM or Ctrl-C, which drain it (running steps finish, the rest waits in Redis)',
    )
    .option('--concurrency <n>', 'jobs at once, per queue (default 10)', parsePositiveInteger)
    .option('--vendor <vendor>', 'serve only this vendor (repeatable; default: every vendor)', collect)
    .option(
      '--rate <vendor[:method]=N/min>',
      'a quota, repeatable: google-channel:create=120/min, google-channel:poll=600/min, confluent=600/min (no method: one bucket for every call); also N/s, N/h, N/90s, N/500ms (default: the published ones)',
      parseRate,
    )
    .option(
      '--lock-duration <ms>',
      "a job's lock; a dead worker's job resumes after about this plus the stalled interval (default 30000)",
      parsePositiveInteger,
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for the jobs of dead workers (default 30000)',
      parsePositiveInteger,
    )
    .option('--max-stalled <n>', 'how many worker deaths a job survives (default 3)', parsePositiveInteger)
    .option(
      '--poll-interval <ms>',
      'first pause between polls of an operation, growing x1.5 (default 1000)',
      parsePositiveInteger,
    );
  addRedisOptions(command);
  addConfluentConnection(command);
  addChannelConnection(command);
  examples(command, [
    'REDIS_URL=redis://127.0.0.1:6379 entitlements worker --concurrency 10',
    'entitlements worker --redis redis://queue.internal:6379 --vendor google-channel --rate google-channel:create=100/min',
    '# SIGTERM drains: running jobs finish, nothing is lost',
  ]);
  command.action(async (_options: unknown, self: Command) => {
    const flags = self.optsWithGlobals<WorkerFlags>();
    checkConnection(self, flags);
    const output = outputFor(self);
    const connection = redisUrl(self, flags, output.env);
    let force: (() => void) | undefined;
    const stop = listenForInterrupts(output.signals, (signal) => {
      output.note(`${signal} again: stopping at once (running jobs will be recovered as stalled)`);
      force?.();
    });
    const tally = new Tally();
    const provisioner = await provisionerFor(flags, output.env, tally);
    try {
      const { createWorker } = await import('../../queue/index.ts');
      const worker = await createWorker({
        connection,
        provisioner,
        ...(flags.queueName !== undefined ? { queueName: flags.queueName } : {}),
        ...(flags.vendor ? { vendors: flags.vendor } : {}),
        ...(flags.rate ? { quotas: quotasFrom(flags.rate) } : {}),
        ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
        ...(flags.lockDuration !== undefined ? { lockDurationMs: flags.lockDuration } : {}),
        ...(flags.stalledInterval !== undefined ? { stalledIntervalMs: flags.stalledInterval } : {}),
        ...(flags.maxStalled !== undefined ? { maxStalledCount: flags.maxStalled } : {}),
        ...(flags.pollInterval !== undefined ? { polling: { initialDelayMs: flags.pollInterval } } : {}),
        onEvent: (event) => {
          if (event.type === 'rate-limited')
            output.note(`${event.queue}: the vendor answered rate-limited: queue paused ${event.pauseMs} ms`);
          if (event.type === 'failed')
            output.note(`${event.vendor} ${event.key}: failed: ${String(event.error.message)}`);
          if (event.type === 'error') output.note(`${event.queue}: ${event.message}`);
        },
      });
      force = () => void worker.close({ force: true });
      try {
        await Promise.race([worker.ready(), stop.first]);
        const paced = worker.queues
          .map((queue) =>
            queue.limiter.max === 1
              ? `${queue.name} (1 per ${queue.limiter.duration} ms)`
              : `${queue.name} (unpaced)`,
          )
          .join(', ');
        output.note(`worker ${process.pid} ready: ${paced}`);
        const signal = await stop.first;
        output.note(`${signal}: draining (running steps finish; the rest waits in Redis)`);
      } finally {
        await worker.close();
      }
      const stats = worker.stats;
      output.result(
        { drained: true, ...stats },
        () =>
          `drained: ${stats.created} created, ${stats.polls} polls, ${stats.done} done, ${stats.failed} failed, ${stats.retried} retried, ${stats.rateLimited} rate-limited`,
      );
    } finally {
      stop.dispose();
      await provisioner.close();
    }
  });
}
