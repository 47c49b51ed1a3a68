/**
 * Child processes of the tests and the bench: one whose output is collected (the CLI or a script
 * run in a process of its own), and the IPC of a forked helper process (the emulators'). `ended` resolves once the child has exited and its
 * pipes are closed, so everything it printed is in `stdout()` and `stderr()`; a child that cannot
 * be started rejects it.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CapturedChild {
  child: ChildProcessByStdio<Writable | null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  ended: Promise<Ended>;
}

export function spawnCaptured(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: 'ignore' | 'pipe' },
): CapturedChild {
  // stdout and stderr are pipes whatever stdin is (the overloads lose that for a stdin union).
  const child = spawn(command, args, {
    env: options.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, ended };
}

/** This process's environment without the variables that configure the vendors or colours. */
export function vendorFreeEnv(extra: Record<string, string> = {}, strip = /^$/): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(CONFLUENT_|CLOUD_CHANNEL_|GOOGLE_|NO_COLOR$|FORCE_COLOR$)/.test(name) && !strip.test(name))
      env[name] = value;
  return { ...env, ...extra };
}

/** The next IPC message of `type` from a forked child; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the child process exited (${code}) while waiting for "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Ends a forked child by closing its IPC channel (it exits when it is disconnected), or SIGKILL after 5 s. */
export async function closeForked(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
