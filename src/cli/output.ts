/**
 * Everything the CLI prints goes through here: results on stdout (human text, or one JSON value with
 * `--json`, or NDJSON lines with `line()`), progress and errors on stderr. Colors follow NO_COLOR /
 * FORCE_COLOR / `--no-color` and the terminal; the spinner (ora) runs only on an interactive stderr,
 * elsewhere progress is plain lines. Everything printed is redacted first (redact.ts): no API
 * secret, partner token or Authorization value reaches the terminal, whatever a message, a result
 * or a vendor's error details contain (only `result(..., { redact: false })` prints as given: the
 * emulator's own test credentials).
 *
 * An Output is also what a command knows of its run: `env` (never process.env), `signals` (never
 * process directly), `stdin` and the streams, so every command runs in-process in tests.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { stripVTControlCharacters, styleText } from 'node:util';
import type CliTable from 'cli-table3';
import type { Ora, Options as OraOptions } from 'ora';
import { isEntitlementError } from '../core/errors.ts';
import type { CallMeta, Entitlement } from '../core/types.ts';
import { vendorAnswered } from './exit-codes.ts';
import { createRedactor, type Redactor, redactDeep } from './redact.ts';
import type { CliStream, SignalSource } from './streams.ts';

export { createRedactor, REDACTED, type Redactor, redactDeep, secretsFromEnvironment } from './redact.ts';

type Env = Record<string, string | undefined>;

// ---------------------------------------------------------------------------------------------
// Colors
// ---------------------------------------------------------------------------------------------

type Stream = CliStream;

/**
 * Whether to color a stream: never with NO_COLOR (non-empty) or `--no-color`; always with
 * FORCE_COLOR (other than 0/false); otherwise when the stream is a terminal (not TERM=dumb).
 */
export function colorEnabled(stream: Stream, env: Env, flag = true): boolean {
  if (!flag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

type Format = Parameters<typeof styleText>[0];

// ---------------------------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------------------------

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** What a command measured around an operation, shown with its entitlement. */
export interface RunFacts {
  /** Requests the command's own call sent (the create's, or the read's), retries included; polls apart. */
  attempts?: number;
  /** Polls of the operation (each a status read, its retries not counted). */
  polls?: number;
  durationMs?: number;
  token?: string;
  /**
   * The meta of the command's own call (the create's: its HTTP status, request id and attempts),
   * shown instead of the entitlement's, which is the last poll's.
   */
  meta?: CallMeta;
  /** For a create: whether the vendor answered with what an earlier create under the same key made. */
  replayed?: boolean;
}

/** An entitlement as the JSON output shows it: the unified fields, the call's facts, the vendor's object. */
export function entitlementJson(entitlement: Entitlement, facts: RunFacts = {}): Record<string, unknown> {
  const { vendor, id, state, stateReasons, plan, product, externalId, createdAt, meta, raw } = entitlement;
  const shownMeta = facts.meta ?? meta;
  return {
    vendor,
    id,
    state,
    ...(stateReasons ? { stateReasons } : {}),
    plan,
    product,
    ...(externalId !== undefined ? { externalId } : {}),
    ...(createdAt ? { createdAt: createdAt.toISOString() } : {}),
    ...(facts.attempts !== undefined ? { attempts: facts.attempts } : {}),
    ...(facts.polls !== undefined ? { polls: facts.polls } : {}),
    ...(facts.durationMs !== undefined ? { durationMs: Math.round(facts.durationMs) } : {}),
    ...(facts.token !== undefined ? { token: facts.token } : {}),
    ...(facts.replayed !== undefined ? { replayed: facts.replayed } : {}),
    ...(shownMeta ? { meta: { ...shownMeta, durationMs: Math.round(shownMeta.durationMs) } } : {}),
    raw,
  };
}

/** A value as JSON.stringify prints it (toJSON applied: protobuf messages, dates); details that do not serialise are dropped. */
function asPrinted(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
  } catch {
    const { details: _details, ...rest } = fields;
    return { ...rest, details: ['(details could not be serialised)'] };
  }
}

/** `vendor` values that name the library or the CLI itself, not a vendor: never shown. */
const INTERNAL_VENDORS = new Set(['core', 'cli']);

/** The error as `--json` prints it on stderr (`vendor` only when a vendor is concerned). */
export function errorJson(error: unknown, exitCode: number, redact: Redactor): Record<string, unknown> {
  if (isEntitlementError(error)) {
    const { name: _name, token, vendor, ...fields } = error.toJSON();
    const cleaned = redactDeep(asPrinted(fields), redact) as Record<string, unknown>;
    return {
      error: {
        kind: cleaned.kind,
        ...(INTERNAL_VENDORS.has(String(vendor)) ? {} : { vendor }),
        ...cleaned,
        ...(token !== undefined ? { token } : {}),
        exitCode,
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { kind: 'internal', message: redact(message), exitCode } };
}

/** What the CLI adds to an error: where it sent the request, and what to do (one sentence each). */
export interface ErrorContext {
  /** The endpoint of each vendor this run talks to (`http://127.0.0.1:8080`, `127.0.0.1:8085 (grpc)`). */
  endpoints: ReadonlyMap<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

export interface Progress {
  /** New progress text: the spinner's text on a terminal, a new line elsewhere. */
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** Stops without a final line (idempotent). */
  stop(): void;
}

const SILENT_PROGRESS: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** ora's default export: loaded by the caller only for a terminal (pipes and CI never load it). */
export type SpinnerFactory = (options: OraOptions) => Ora;

export interface OutputOptions {
  json?: boolean;
  /** The spinner for an interactive stderr; without it progress is plain lines. */
  spinner?: SpinnerFactory;
  /** `false` from `--no-color`. */
  color?: boolean;
  env?: Env;
  stdout?: Stream;
  stderr?: Stream;
  /** What `-` reads (default: process.stdin, taken only when a command reads it). */
  stdin?: Readable;
  /** Where SIGINT and SIGTERM come from (default: process). */
  signals?: SignalSource;
}

/** cli-table3, loaded by the first table (help and most commands never draw one). */
let tableClass: typeof CliTable | undefined;
function loadTable(): typeof CliTable {
  tableClass ??= createRequire(import.meta.url)('cli-table3') as typeof CliTable;
  return tableClass;
}

/** A value as JSON.stringify prints it (toJSON applied), with every string redacted. */
function redactedJson(value: unknown, redact: Redactor): unknown {
  const printed = JSON.stringify(value);
  return printed === undefined ? value : redactDeep(JSON.parse(printed), redact);
}

export class Output {
  readonly json: boolean;
  readonly redact: Redactor;
  readonly #stdout: Stream;
  readonly #stderr: Stream;
  readonly #colorOut: boolean;
  readonly #colorErr: boolean;
  readonly #interactive: boolean;
  readonly #env: Env;
  readonly #spinner: SpinnerFactory | undefined;
  readonly #endpoints = new Map<string, string>();
  readonly #stdin: Readable | undefined;
  readonly signals: SignalSource;

  constructor(options: OutputOptions = {}) {
    const env = options.env ?? process.env;
    this.#env = env;
    this.json = options.json ?? false;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#colorOut = colorEnabled(this.#stdout, env, options.color);
    this.#colorErr = colorEnabled(this.#stderr, env, options.color);
    this.#interactive =
      this.#stderr.isTTY === true && env.TERM !== 'dumb' && env.CI === undefined && !this.json;
    this.redact = createRedactor(env);
    this.#spinner = options.spinner;
    this.#stdin = options.stdin;
    this.signals = options.signals ?? process;
  }

  /** What `-` reads: the run's stdin (process.stdin unless `run()` was given one). */
  get stdin(): Readable {
    return this.#stdin ?? process.stdin;
  }

  /**
   * Whether progress may redraw in place: stderr is a terminal (not TERM=dumb, not CI) and the
   * output is not JSON. Elsewhere progress is plain lines.
   */
  get interactive(): boolean {
    return this.#interactive;
  }

  /**
   * The terminal under stderr, for a progress library that draws on it (only when `interactive`):
   * the real stream, not the guard around it, as such libraries need a Node stream.
   */
  get terminal(): NodeJS.WritableStream {
    return ((this.#stderr as { raw?: Stream }).raw ?? this.#stderr) as NodeJS.WritableStream;
  }

  /** Records where a vendor's requests go, for error messages (`provisionerFor` does it). */
  endpoint(vendor: string, where: string): void {
    this.#endpoints.set(vendor, where);
  }

  /** The endpoints recorded so far. */
  get endpoints(): ReadonlyMap<string, string> {
    return this.#endpoints;
  }

  /** Styles text for stdout (or stderr) when colors are on there. */
  style(format: Format, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    const on = stream === 'stdout' ? this.#colorOut : this.#colorErr;
    return on ? styleText(format, text, { validateStream: false }) : text;
  }

  /**
   * Prints a command's result: `json` as one JSON document with --json, else `human()`; redacted
   * unless `redact: false` (what the command prints is a credential meant to be shown).
   */
  result(json: unknown, human: () => string, { redact = true }: { redact?: boolean } = {}): void {
    if (this.json) {
      const value = redact ? redactedJson(json, this.redact) : json;
      this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    } else {
      const text = human();
      this.#stdout.write(ensureNewline(redact ? this.redact(text) : text));
    }
  }

  /** One JSON value on one line of stdout (NDJSON: `apply --json`), redacted, whatever the flags. */
  line(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(redactedJson(value, this.redact))}\n`);
  }

  /** A human-only line on stdout (nothing with --json), redacted. */
  say(text: string): void {
    if (!this.json) this.#stdout.write(ensureNewline(this.redact(text)));
  }

  /** A human-only note on stderr (nothing with --json), redacted. */
  note(text: string): void {
    if (!this.json) this.#stderr.write(ensureNewline(this.redact(text)));
  }

  /** Progress on stderr: a spinner on a terminal, plain lines elsewhere, nothing with --json. */
  progress(text: string): Progress {
    if (this.json) return SILENT_PROGRESS;
    const ok = this.style('green', '✔', 'stderr');
    const bad = this.style('red', '✖', 'stderr');
    if (this.#interactive && this.#spinner) {
      const spinner = this.#spinner({
        text: this.redact(text),
        stream: this.terminal,
        color: this.#colorErr ? 'cyan' : false,
        discardStdin: false,
        isEnabled: true,
      }).start();
      return {
        update: (next) => {
          if (spinner.isSpinning) spinner.text = this.redact(next);
        },
        succeed: (final) => {
          spinner.stopAndPersist({ symbol: ok, text: this.redact(final) });
        },
        fail: (final) => {
          spinner.stopAndPersist({ symbol: bad, text: this.redact(final) });
        },
        stop: () => {
          if (spinner.isSpinning) spinner.stop();
        },
      };
    }
    const line = (symbol: string, next: string) => this.#stderr.write(`${symbol} ${this.redact(next)}\n`);
    line('-', text);
    let ended = false;
    return {
      update: (next) => {
        if (!ended) line('-', next);
      },
      succeed: (final) => {
        if (!ended) line(ok, final);
        ended = true;
      },
      fail: (final) => {
        if (!ended) line(bad, final);
        ended = true;
      },
      stop: () => {
        ended = true;
      },
    };
  }

  /** Prints an error on stderr: JSON with --json, else a readable block. Always redacted. */
  error(error: unknown, exitCode: number): void {
    if (this.json) {
      this.#stderr.write(`${this.redact(JSON.stringify(errorJson(error, exitCode, this.redact)))}\n`);
      return;
    }
    const label = (text: string) => this.style('dim', text, 'stderr');
    if (!isEntitlementError(error)) {
      // A bug: the stack helps the report.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#stderr.write(`${this.style('red', 'error:', 'stderr')} ${this.redact(message)}\n`);
      return;
    }
    const lines = [
      `${this.style(['red', 'bold'], 'error:', 'stderr')} ${this.style('bold', `[${error.kind}]`, 'stderr')} ${this.redact(error.message)}`,
    ];
    const vendor = INTERNAL_VENDORS.has(error.vendor) ? undefined : error.vendor;
    const facts: [string, unknown][] = [
      ['vendor', vendor],
      ['endpoint', vendor === undefined ? undefined : this.#endpoints.get(vendor)],
      ['http status', error.httpStatus],
      ['grpc code', error.grpcCode],
      ['reason', error.reason],
      ['request id', error.requestId],
      ['attempts', error.attempts],
      ['retry after', error.retryAfterMs === undefined ? undefined : formatDuration(error.retryAfterMs)],
      ['resource', error.resourceUri],
    ];
    const shown = facts.filter(([, value]) => value !== undefined && value !== '');
    const width = Math.max(0, ...shown.map(([name]) => name.length + 1), error.token === undefined ? 0 : 6);
    for (const [name, value] of shown)
      lines.push(`  ${label(`${name}:`.padEnd(width))} ${this.redact(String(value))}`);
    if (error.token !== undefined) {
      lines.push(`  ${label('token:'.padEnd(width))} ${error.token}`);
      if (error.kind === 'deadline-exceeded' || error.kind === 'cancelled') {
        lines.push(
          `The operation may still complete at ${error.vendor}. Resume waiting with:`,
          `  entitlements wait ${error.token}`,
        );
      }
    }
    const hint = vendor === undefined ? undefined : hintFor(error, this.#endpoints.get(vendor));
    if (hint) lines.push(this.redact(hint));
    this.#stderr.write(`${lines.join('\n')}\n`);
  }

  /** A usage error from the argument parser (commander), as text or JSON. */
  usageError(message: string, exitCode: number): void {
    const text = this.redact(message.trim());
    if (this.json) {
      this.#stderr.write(
        `${JSON.stringify({ error: { kind: 'usage', message: text.replace(/^error:\s*/, ''), exitCode } })}\n`,
      );
    } else {
      this.#stderr.write(`${text}\n`);
    }
  }

  /**
   * A table with a header row (box-drawn; colors only when colors are on). On a terminal too narrow
   * for it, each row is printed as a block of `label  value` lines instead (values are never cut).
   */
  table(head: readonly string[], rows: readonly (readonly string[])[]): string {
    const columns = this.#stdout.isTTY ? this.#stdout.columns : undefined;
    if (columns && tableWidth([head, ...rows]) > columns) {
      return rows
        .map((row) =>
          [
            this.style('bold', row[0] ?? ''),
            this.fields(head.slice(1).map((label, index) => [label, row[index + 1]] as const)),
          ].join('\n'),
        )
        .join('\n\n');
    }
    const Table = loadTable();
    const table = new Table({
      head: head.map((cell) => this.style('bold', cell)),
      style: { head: [], border: [] },
    });
    for (const row of rows) table.push([...row]);
    return table.toString();
  }

  /** `label  value` lines, aligned. Undefined and empty values are left out. */
  fields(pairs: readonly (readonly [string, unknown])[]): string {
    const present = pairs.filter(([, value]) => value !== undefined && value !== '');
    const width = Math.max(0, ...present.map(([label]) => label.length));
    return present
      .map(([label, value]) => `  ${this.style('dim', label.padEnd(width))}  ${String(value)}`)
      .join('\n');
  }

  /** An entitlement, human-readable. */
  entitlement(entitlement: Entitlement, facts: RunFacts = {}): string {
    const google = entitlement.vendor === 'google-channel';
    const stateColor: Format = entitlement.state === 'active' ? 'green' : 'yellow';
    const header = `${this.style('bold', entitlement.vendor)} entitlement ${this.style(stateColor, entitlement.state)}`;
    return [
      header,
      this.fields([
        [google ? 'name' : 'id', entitlement.id],
        [
          'state',
          entitlement.state + (entitlement.stateReasons ? ` (${entitlement.stateReasons.join(', ')})` : ''),
        ],
        [google ? 'offer' : 'plan', entitlement.plan],
        ['product', entitlement.product],
        ['external id', entitlement.externalId],
        ['created', entitlement.createdAt?.toISOString()],
        ['http status', (facts.meta ?? entitlement.meta)?.httpStatus],
        ['request id', (facts.meta ?? entitlement.meta)?.requestId],
        ['attempts', facts.attempts],
        ['polls', facts.polls],
        ['duration', facts.durationMs === undefined ? undefined : formatDuration(facts.durationMs)],
      ]),
    ].join('\n');
  }

  get env(): Env {
    return this.#env;
  }
}

/** The width of a box-drawn table of these rows (one space of padding on each side of a cell). */
export function tableWidth(rows: readonly (readonly string[])[]): number {
  const count = Math.max(0, ...rows.map((row) => row.length));
  let total = count + 1;
  for (let index = 0; index < count; index++)
    total += Math.max(0, ...rows.map((row) => stripVTControlCharacters(row[index] ?? '').length)) + 2;
  return total;
}

/**
 * What to do about an error the vendor's message cannot know: which option or variable sets the
 * endpoint that did not answer, or the credentials that were refused.
 */
function hintFor(
  error: { vendor: string; kind: string; httpStatus?: number; grpcCode?: number; reason?: string },
  endpoint?: string,
) {
  const confluent = error.vendor === 'confluent';
  // Confluent: no HTTP answer at all. Cloud Channel: gRPC reports a refused connection (or an
  // HTTP/1 server at a gRPC port, or the reverse) as UNAVAILABLE itself, without the ErrorInfo
  // reason a Google server sends.
  const noAnswer = confluent ? !vendorAnswered(error) : error.reason === undefined;
  if (error.kind === 'unavailable' && endpoint && noAnswer) {
    return confluent
      ? `Nothing answered at ${endpoint}: check --base-url or CONFLUENT_BASE_URL, and that the server is running.`
      : `No Cloud Channel service answered at ${endpoint}: check --endpoint or CLOUD_CHANNEL_EMULATOR_HOST, that the server is running, and that --transport or CLOUD_CHANNEL_TRANSPORT matches what it serves.`;
  }
  if (error.kind === 'unauthenticated' && vendorAnswered(error)) {
    return confluent
      ? 'Check CONFLUENT_PARTNER_TOKEN, or CONFLUENT_API_KEY and CONFLUENT_API_SECRET.'
      : 'Check GOOGLE_APPLICATION_CREDENTIALS (a service account with the apps.order scope).';
  }
  return undefined;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
