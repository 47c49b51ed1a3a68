/**
 * The streams and signals a CLI run uses, passed to `run()` (process.stdout, process.stderr and
 * process by default; in-process tests pass their own).
 *
 * A closed pipe (`entitlements demo | head -1`) is not an error: once the reader has gone
 * (EPIPE), writes to that stream are dropped, the command goes on to its end (emulators closed,
 * operations not abandoned half-way) and `run()` reports exit code 141 (128 + SIGPIPE, what a
 * shell shows for a program that SIGPIPE ended).
 */

/** What the CLI writes to: a Node stream, or anything with `write` (tests). */
export interface CliStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

/** Where SIGINT and SIGTERM come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Whether a stream's reader went away; one per underlying stream, shared by every run. */
interface PipeState {
  closed: boolean;
}

const STATES = new WeakMap<object, PipeState>();

function stateOf(stream: CliStream): PipeState {
  let state = STATES.get(stream);
  if (!state) {
    const created: PipeState = { closed: false };
    state = created;
    STATES.set(stream, created);
    // Stays installed: an EPIPE reported after the run returned must not crash the process. Any
    // write error means the same: nothing more can be printed there.
    stream.on?.('error', () => {
      created.closed = true;
    });
  }
  return state;
}

/** A stream that drops what is written once its reader has gone, instead of crashing. */
export class GuardedStream implements CliStream {
  readonly raw: CliStream;
  readonly #state: PipeState;

  constructor(stream: CliStream) {
    this.raw = stream;
    this.#state = stateOf(stream);
  }

  get isTTY(): boolean {
    return this.raw.isTTY === true;
  }

  get columns(): number | undefined {
    return this.raw.columns;
  }

  /** Whether the reader went away (EPIPE) during this or an earlier run. */
  get closed(): boolean {
    return this.#state.closed;
  }

  write(chunk: string): boolean {
    if (this.#state.closed) return false;
    try {
      return this.raw.write(chunk);
    } catch {
      // A stream that throws instead of emitting 'error' (a destroyed socket): closed just the same.
      this.#state.closed = true;
      return false;
    }
  }
}
