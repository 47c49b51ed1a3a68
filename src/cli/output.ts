/**
 * Everything the CLI prints goes through here: results on stdout (human text, or one JSON value with
 * `--json`), progress and errors on stderr. Colors follow NO_COLOR / FORCE_COLOR / `--no-color` and
 * the terminal; the spinner (ora) runs only on an interactive stderr, elsewhere progress is plain
 * lines. Error text is redacted before it is printed: no token, API secret or Authorization value
 * reaches the terminal, whatever a message or a vendor's error details contain.
 */
import { stripVTControlCharacters, styleText } from 'node:util';
import Table from 'cli-table3';
import type { Ora, Options as OraOptions } from 'ora';
import { isEntitlementError } from '../core/errors.ts';
import type { Entitlement } from '../core/types.ts';

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

export const REDACTED = '[REDACTED]';

type Env = Record<string, string | undefined>;

/** Variables that always hold a secret, whatever their length. */
const SECRET_VARIABLES = ['CONFLUENT_API_KEY', 'CONFLUENT_API_SECRET', 'CONFLUENT_PARTNER_TOKEN'];
/** Other variables whose names say they hold a credential. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|AUTH$/i;
/** Shorter values of such variables are not redacted as free text (they would match everywhere). */
const MIN_HEURISTIC_LENGTH = 8;

const KEY_WORDS = String.raw`[\w.-]*(?:token|secret|password|passwd|api[_-]?key|private[_-]?key)`;

/** Patterns of credentials in free text, each replaced by its first group (if any) + REDACTED. */
const PATTERNS: readonly [RegExp, string][] = [
  // PEM private keys.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  // Authorization headers, as text or JSON (`Authorization: Bearer x`, `"authorization":"Basic x"`).
  [
    /((?:proxy-)?authori[sz]ation["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Token|Digest)\s+)?[^\s"',;}]+/gi,
    `$1${REDACTED}`,
  ],
  // A scheme and a credential anywhere.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${REDACTED}`],
  // key=value, key: value and "key": "value" for credential-like keys; operation tokens (ep1.) are kept.
  [
    new RegExp(
      String.raw`(["']?\b${KEY_WORDS}["']?\s*[:=]\s*["']?)(?!ep1\.)(?!\[REDACTED\])[^\s"'&,;}]+`,
      'gi',
    ),
    `$1${REDACTED}`,
  ],
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  // JSON Web Tokens and Google OAuth access tokens.
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, REDACTED],
  [/\bya29\.[\w.-]+/g, REDACTED],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The secret values present in the environment (and the Basic credential made of them). */
export function secretsFromEnvironment(env: Env): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const always = SECRET_VARIABLES.includes(name);
    if ((always && value.length >= 3) || (SECRET_NAME.test(name) && value.length >= MIN_HEURISTIC_LENGTH))
      secrets.add(value);
  }
  const { CONFLUENT_API_KEY: key, CONFLUENT_API_SECRET: secret } = env;
  if (key && secret) secrets.add(Buffer.from(`${key}:${secret}`).toString('base64'));
  return [...secrets];
}

export type Redactor = (text: string) => string;

/**
 * A function that removes credentials from text: the secret values of the environment (and their
 * URL- and JSON-escaped forms) and anything that looks like one (Authorization values, bearer
 * tokens, `token=`, `api_key:`, `"client_secret": "…"`, JWTs, private keys, URL passwords).
 */
export function createRedactor(env: Env = process.env, extraSecrets: readonly string[] = []): Redactor {
  const forms = new Set<string>();
  for (const secret of [...secretsFromEnvironment(env), ...extraSecrets]) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that a secret containing another is removed whole.
  const literal =
    forms.size > 0
      ? new RegExp(
          [...forms]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        )
      : undefined;
  return (text) => {
    let result = literal ? text.replace(literal, REDACTED) : text;
    for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
    return result;
  };
}

/** Redacts every string inside a JSON-like value (object keys that name a credential lose their value). */
export function redactDeep(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  if (value instanceof Date) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] =
      /^(authorization|.*(?:secret|password|api[_-]?key|private[_-]?key|access[_-]?token))$/i.test(key) &&
      item !== undefined
        ? REDACTED
        : redactDeep(item, redact, depth + 1);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Colors
// ---------------------------------------------------------------------------------------------

interface Stream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

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
  /** Requests sent (creates, polls, reads), retries included. */
  attempts?: number;
  polls?: number;
  durationMs?: number;
  token?: string;
}

/** An entitlement as the JSON output shows it: the unified fields, the call's facts, the vendor's object. */
export function entitlementJson(entitlement: Entitlement, facts: RunFacts = {}): Record<string, unknown> {
  const { vendor, id, state, stateReasons, plan, product, externalId, createdAt, meta, raw } = entitlement;
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
    ...(meta ? { meta: { ...meta, durationMs: Math.round(meta.durationMs) } } : {}),
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

/** The error as `--json` prints it on stderr. */
export function errorJson(error: unknown, exitCode: number, redact: Redactor): Record<string, unknown> {
  if (isEntitlementError(error)) {
    const { name: _name, token, ...fields } = error.toJSON();
    const cleaned = redactDeep(asPrinted(fields), redact) as Record<string, unknown>;
    return { error: { ...cleaned, ...(token !== undefined ? { token } : {}), exitCode } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { kind: 'internal', vendor: 'cli', message: redact(message), exitCode } };
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
  }

  /** Styles text for stdout (or stderr) when colors are on there. */
  style(format: Format, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    const on = stream === 'stdout' ? this.#colorOut : this.#colorErr;
    return on ? styleText(format, text, { validateStream: false }) : text;
  }

  /** Prints a command's result: `json` as one JSON document with --json, else `human()`. */
  result(json: unknown, human: () => string): void {
    if (this.json) this.#stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else this.#stdout.write(ensureNewline(human()));
  }

  /** A human-only line on stdout (nothing with --json). */
  say(text: string): void {
    if (!this.json) this.#stdout.write(ensureNewline(text));
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
        stream: this.#stderr as NodeJS.WritableStream,
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
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#stderr.write(`${this.style('red', 'error:', 'stderr')} ${this.redact(message)}\n`);
      return;
    }
    const lines = [
      `${this.style(['red', 'bold'], 'error:', 'stderr')} ${this.style('bold', `[${error.kind}]`, 'stderr')} ${error.vendor}: ${this.redact(error.message)}`,
    ];
    const facts: [string, unknown][] = [
      ['http status', error.httpStatus],
      ['grpc code', error.grpcCode],
      ['reason', error.reason],
      ['request id', error.requestId],
      ['attempts', error.attempts],
      ['retry after', error.retryAfterMs === undefined ? undefined : formatDuration(error.retryAfterMs)],
      ['resource', error.resourceUri],
    ];
    for (const [name, value] of facts)
      if (value !== undefined && value !== '')
        lines.push(`  ${label(`${name}:`)} ${this.redact(String(value))}`);
    if (error.token !== undefined) {
      lines.push(`  ${label('token:')} ${error.token}`);
      if (error.kind === 'deadline-exceeded' || error.kind === 'cancelled') {
        lines.push(
          `  The operation may still complete at ${error.vendor}. Resume waiting with:`,
          `    entitlements wait ${error.token}`,
        );
      }
    }
    this.#stderr.write(`${lines.join('\n')}\n`);
  }

  /** A usage error from the argument parser (commander), as text or JSON. */
  usageError(message: string, exitCode: number): void {
    const text = this.redact(message.trim());
    if (this.json) {
      this.#stderr.write(
        `${JSON.stringify({ error: { kind: 'usage', vendor: 'cli', message: text.replace(/^error:\s*/, ''), exitCode } })}\n`,
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
        ['request id', entitlement.meta?.requestId],
        ['polls', facts.polls],
        ['attempts', facts.attempts ?? entitlement.meta?.attempts],
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

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
