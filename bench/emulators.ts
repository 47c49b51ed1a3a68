/** The bench's side of bench/emulators-process.ts: start it, ask it for a fresh Channel emulator. */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./emulators-process.ts', import.meta.url));

export interface EmulatorsProcess {
  readonly confluentUrl: string;
  readonly pid: number;
  /** A fresh Cloud Channel emulator with `customers` customers (B0, B1, ...); resolves with its port. */
  channel(customers: number): Promise<number>;
  /** Both emulators forget their entitlements, operations and requests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

function reply<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`the emulators process exited (${code}) before answering "${type}"`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startEmulatorsProcess(): Promise<EmulatorsProcess> {
  const child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { confluentUrl } = await reply<{ confluentUrl: string }>(child, 'ready');
  return {
    confluentUrl,
    pid: child.pid ?? -1,
    async channel(customers) {
      const answer = reply<{ port: number }>(child, 'channel');
      child.send({ type: 'channel', customers });
      return (await answer).port;
    },
    async reset() {
      const answer = reply(child, 'reset');
      child.send({ type: 'reset' });
      await answer;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
