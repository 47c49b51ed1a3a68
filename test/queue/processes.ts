/**
 * Child processes of cluster.test.ts and bench/queue.ts: the emulators process, and
 * `entitlements worker` processes (the real CLI), started one at a time and killed on purpose.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChannelQuota, ConfluentRateLimit } from '../../src/testing/index.ts';
import { closeForked, type Ended, nextMessage, spawnCaptured } from '../support/child-process.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const EMULATORS = fileURLToPath(new URL('./emulators-child.ts', import.meta.url));

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NO_COLOR: '1', NO_PROXY: '*', ...extra };
  return env;
}

export interface EmulatorStats {
  confluent: {
    entitlements: { id: string; externalId: string }[];
    requests: { method: string; path: string; status?: number; time: string; externalId?: string }[];
  };
  channel: {
    operations: { requestId?: string; parent: string; done: boolean; entitlementName?: string }[];
    entitlements: number;
    calls: { method: string; code: number; time: string }[];
  };
}

export interface EmulatorsProcess {
  /** The environment that points a worker at the emulators. */
  env: Record<string, string>;
  stats(): Promise<EmulatorStats>;
  /** Holds the answer to the next create the Confluent emulator commits; resolves with its external_id. */
  hold(): Promise<string>;
  release(): void;
  close(): Promise<void>;
}

export interface EmulatorsConfig {
  confluentRateLimit?: ConfluentRateLimit;
  channelQuota?: ChannelQuota;
  channelCustomers: number;
}

export async function startEmulators(config: EmulatorsConfig): Promise<EmulatorsProcess> {
  const child = fork(EMULATORS, [JSON.stringify(config)], {
    env: childEnv({}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage<{ confluentUrl: string; channelHost: string }>(child, 'ready');
  return {
    env: {
      CONFLUENT_BASE_URL: ready.confluentUrl,
      CONFLUENT_PARTNER_TOKEN: 'emulator-token',
      CLOUD_CHANNEL_EMULATOR_HOST: ready.channelHost,
    },
    async stats() {
      const answer = nextMessage<EmulatorStats>(child, 'stats');
      child.send({ type: 'stats' });
      return answer;
    },
    async hold() {
      const held = nextMessage<{ externalId: string }>(child, 'held');
      child.send({ type: 'hold' });
      return (await held).externalId;
    },
    release() {
      child.send({ type: 'release' });
    },
    close: () => closeForked(child),
  };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the worker printed that it is ready. */
  readonly ready: Promise<void>;
  /** Resolves when the process ended, with what it printed. */
  readonly exited: Promise<Ended>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `entitlements worker --redis <url> ...args`, with the emulators' environment. */
export function startWorker(
  redisUrl: string,
  args: readonly string[],
  env: Record<string, string>,
): WorkerProcess {
  const {
    child,
    stderr,
    ended: exited,
  } = spawnCaptured(process.execPath, [CLI, 'worker', '--redis', redisUrl, ...args], { env: childEnv(env) });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', () => {
      if (/ready: /.test(stderr())) resolve();
    });
    exited.then(
      ({ code, signal }) =>
        reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready:\n${stderr()}`)),
      reject,
    );
  });
  ready.catch(() => {});
  return {
    child,
    pid: child.pid ?? -1,
    ready,
    exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Runs the CLI once (`entitlements ...args`) and resolves with its exit code and output. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnCaptured(process.execPath, [CLI, ...args], { env: childEnv(env) }).ended.then(
    ({ code, stdout, stderr }) => ({ code, stdout, stderr }),
  );
}
