/**
 * Runs the CLI in this process: `run()` with the test's own streams, environment and signal
 * source, so no child process, no global state, and nothing read from the real environment.
 * Every wait here ends with what it waited for, or fails when the run ended without it (no timers).
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { run } from '../../src/cli/program.ts';

/** A stream that keeps what is written to it. */
export class Sink extends EventEmitter {
  text = '';
  isTTY?: boolean;
  columns?: number;

  constructor(extra: { isTTY?: boolean; columns?: number } = {}) {
    super();
    Object.assign(this, extra);
  }

  write(chunk: string): boolean {
    this.text += chunk;
    this.emit('data', chunk);
    return true;
  }
}

/** A pipe whose reader goes away after the first write: later writes fail with EPIPE (as `| head -1`). */
export class ClosingPipe extends Sink {
  writes = 0;
  override write(chunk: string): boolean {
    this.writes++;
    if (this.writes === 1) return super.write(chunk);
    const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    process.nextTick(() => this.emit('error', error));
    return false;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  stdout?: Sink;
  stderr?: Sink;
  /** What `-` reads. */
  stdin?: Readable;
}

export interface RunningCli {
  readonly stdout: Sink;
  readonly stderr: Sink;
  /** Emit 'SIGINT' or 'SIGTERM' on it to interrupt the run. */
  readonly signals: EventEmitter;
  readonly done: Promise<CliResult>;
  /** Resolves with the stream's text once it contains `text`; rejects if the run ends first. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const stdout = options.stdout ?? new Sink();
  const stderr = options.stderr ?? new Sink();
  const signals = new EventEmitter();
  const done = run({
    args,
    env: options.env ?? {},
    stdout,
    stderr,
    signals,
    ...(options.stdin ? { stdin: options.stdin } : {}),
  }).then((code) => ({
    code,
    stdout: stdout.text,
    stderr: stderr.text,
  }));
  const waitFor = (text: string | RegExp, stream: 'stdout' | 'stderr' = 'stderr') => {
    const sink = stream === 'stdout' ? stdout : stderr;
    const found = () => (typeof text === 'string' ? sink.text.includes(text) : text.test(sink.text));
    return new Promise<string>((resolve, reject) => {
      if (found()) return resolve(sink.text);
      const onData = () => {
        if (!found()) return;
        sink.off('data', onData);
        resolve(sink.text);
      };
      sink.on('data', onData);
      done.then((result) => {
        sink.off('data', onData);
        if (!found())
          reject(
            new Error(
              `the run ended (exit ${result.code}) without ${String(text)} on ${stream}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
            ),
          );
      }, reject);
    });
  };
  return { stdout, stderr, signals, done, waitFor };
}

/** Runs the CLI to its end. */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

export const ANSI = '\u001b[';
export const TOKEN = /^ep1\.[A-Za-z0-9_-]+$/;
