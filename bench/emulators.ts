/** The bench's side of bench/emulators-process.ts: start it, ask it for a fresh Channel emulator. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeForked, nextMessage } from '../test/support/child-process.ts';

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

export async function startEmulatorsProcess(): Promise<EmulatorsProcess> {
  const child = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { confluentUrl } = await nextMessage<{ confluentUrl: string }>(child, 'ready');
  return {
    confluentUrl,
    pid: child.pid ?? -1,
    async channel(customers) {
      const answer = nextMessage<{ port: number }>(child, 'channel');
      child.send({ type: 'channel', customers });
      return (await answer).port;
    },
    async reset() {
      const answer = nextMessage(child, 'reset');
      child.send({ type: 'reset' });
      await answer;
    },
    close: () => closeForked(child),
  };
}
