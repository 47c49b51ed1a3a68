/**
 * What the commands share: the facade built from the environment and the connection flags, a tally
 * of requests and polls per vendor (from the facade's events), Ctrl-C handling, and creating or
 * resuming an operation and waiting for it with progress.
 */
import { EntitlementError, isEntitlementError } from '../core/errors.ts';
import type { ProvisionerEvent } from '../core/events.ts';
import type { Entitlement, OperationStatus, ProvisioningOperation } from '../core/types.ts';
import type { Provisioner, ProvisionerConfig } from '../provisioner.ts';
import type { GoogleChannelOptions } from '../vendors/google-channel/provisioner.ts';
import { confluentCredentialsProblem, googleCredentialsProblem } from './messages.ts';
import type { ConnectionFlags, WaitFlags } from './options.ts';
import { formatDuration, Output, type RunFacts } from './output.ts';
import type { SignalSource } from './streams.ts';

/** Cloud Channel's public endpoint, as the help text names it. */
const CHANNEL_ENDPOINT = 'cloudchannel.googleapis.com:443';

/**
 * Requests (attempts, retries included) and polls per vendor, counted from the facade's events.
 * The requests of one call are in its meta (`operation.meta.attempts`, `entitlement.meta`); this
 * tally is for totals across calls.
 */
export class Tally {
  readonly #attempts = new Map<string, number>();
  readonly #polls = new Map<string, number>();

  /** More listeners (a command following one operation's polls). */
  readonly listeners = new Set<(event: ProvisionerEvent) => void>();

  readonly onEvent = (event: ProvisionerEvent): void => {
    for (const listener of this.listeners) listener(event);
    if (event.type === 'attempt')
      this.#attempts.set(event.vendor, (this.#attempts.get(event.vendor) ?? 0) + 1);
    if (event.type === 'poll')
      this.#polls.set(event.vendor, Math.max(this.#polls.get(event.vendor) ?? 0, event.polls));
  };

  attempts(vendor: string): number {
    return this.#attempts.get(vendor) ?? 0;
  }

  polls(vendor: string): number {
    return this.#polls.get(vendor) ?? 0;
  }
}

/**
 * The facade for a command: configuration from the environment (credentials, CONFLUENT_BASE_URL,
 * CLOUD_CHANNEL_EMULATOR_HOST, CLOUD_CHANNEL_TRANSPORT), overridden by the command's flags. Given
 * the command's Output, it also records each vendor's endpoint there, for error messages.
 */
export async function provisionerFor(
  flags: ConnectionFlags,
  envOrOutput: Record<string, string | undefined> | Output,
  tally: Tally,
  extra: Partial<ProvisionerConfig> = {},
): Promise<Provisioner> {
  const output = envOrOutput instanceof Output ? envOrOutput : undefined;
  const env = output ? output.env : (envOrOutput as Record<string, string | undefined>);
  // Loaded when a command runs, not for --help.
  const [{ createProvisioner }, { DEFAULT_BASE_URL }] = await Promise.all([
    import('../provisioner.ts'),
    import('../vendors/confluent/base-url.ts'),
  ]);
  const merged = { ...env };
  if (flags.baseUrl !== undefined) merged.CONFLUENT_BASE_URL = flags.baseUrl;
  if (flags.transport !== undefined) merged.CLOUD_CHANNEL_TRANSPORT = flags.transport;
  const googleChannel: GoogleChannelOptions = {};
  if (flags.endpoint) {
    googleChannel.apiEndpoint = flags.endpoint.host;
    googleChannel.port = flags.endpoint.port;
    googleChannel.insecure = flags.insecure === true;
  }
  if (output) {
    output.endpoint('confluent', merged.CONFLUENT_BASE_URL || DEFAULT_BASE_URL);
    const host = flags.endpoint
      ? `${flags.endpoint.host}:${flags.endpoint.port}`
      : merged.CLOUD_CHANNEL_EMULATOR_HOST || CHANNEL_ENDPOINT;
    output.endpoint('google-channel', `${host} over ${merged.CLOUD_CHANNEL_TRANSPORT || 'grpc'}`);
  }
  return createProvisioner({ env: merged, googleChannel, onEvent: tally.onEvent, tracing: false, ...extra });
}

/**
 * Refuses, before anything is loaded or sent, a vendor the environment cannot authenticate to:
 * Confluent needs an API key with its secret, or a partner token; for Cloud Channel (unless an
 * emulator is the endpoint), GOOGLE_APPLICATION_CREDENTIALS, when set, must name a file. (Its other
 * sources, gcloud and the metadata server, are left to google-auth-library.)
 */
export function requireCredentials(
  vendor: string,
  env: Record<string, string | undefined>,
  flags: ConnectionFlags = {},
): void {
  const problem =
    vendor === 'confluent'
      ? confluentCredentialsProblem(env)
      : vendor === 'google-channel' && !flags.insecure && !env.CLOUD_CHANNEL_EMULATOR_HOST
        ? googleCredentialsProblem(env)
        : undefined;
  if (problem) throw problem;
}

/** What {@link listenForInterrupts} gives: the first SIGINT or SIGTERM, as a signal and a promise. */
export interface Interrupts {
  /** Aborts at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The first signal, once one came. */
  readonly received: NodeJS.Signals | undefined;
  /** Resolves with the first signal. */
  readonly first: Promise<NodeJS.Signals>;
  /** Removes the listeners (idempotent). */
  dispose(): void;
}

/**
 * Listens for SIGINT (Ctrl-C) and SIGTERM on `signals` (the run's: process, or a test's emitter).
 * The first aborts `signal` and resolves `first`; a second calls `again` when given, else ends
 * the process at once: the listeners step aside and the signal is raised again (only when the
 * source is the real process: a test's source has no process to end).
 */
export function listenForInterrupts(
  signals: SignalSource = process,
  again?: (signal: NodeJS.Signals) => void,
): Interrupts {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      if (again) return again(signal);
      dispose();
      if (signals === process) process.kill(process.pid, signal);
      return;
    }
    // Stay installed: other SIGINT listeners (ora's cursor restorer) kill the process when they
    // find themselves alone.
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
    resolveFirst(signal);
  };
  const dispose = () => {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    first,
    dispose,
  };
}

/**
 * Runs `work` with a signal that SIGINT (Ctrl-C) and SIGTERM abort. The library then rejects with
 * `cancelled` (exit 130), carrying the operation token when there is one. A second Ctrl-C ends
 * the process at once.
 */
export async function withInterrupts<T>(
  work: (signal: AbortSignal) => Promise<T>,
  signals: SignalSource = process,
): Promise<T> {
  const interrupts = listenForInterrupts(signals);
  try {
    return await work(interrupts.signal);
  } catch (error) {
    const received = interrupts.received;
    if (received === undefined) throw error;
    const token = isEntitlementError(error) ? error.token : undefined;
    throw new EntitlementError({
      kind: 'cancelled',
      vendor: isEntitlementError(error) ? error.vendor : 'cli',
      message: token
        ? `Interrupted by ${received} while waiting; the operation was not cancelled.`
        : `Interrupted by ${received} before the request completed.`,
      ...(token !== undefined ? { token } : {}),
      cause: error,
    });
  } finally {
    interrupts.dispose();
  }
}

export interface RunOptions extends WaitFlags {
  output: Output;
  tally: Tally;
  signal: AbortSignal;
  /** The vendor, for the progress text. */
  vendor: string;
  /** What is happening until the operation exists (`creating entitlement`, `resuming operation`). */
  starting: string;
  /** Creates or resumes the operation. */
  start(signal: AbortSignal): Promise<ProvisioningOperation>;
}

export interface RunResult {
  operation: ProvisioningOperation;
  /** Absent with `--no-wait`. */
  entitlement?: Entitlement;
  facts: RunFacts;
}

function progressText(vendor: string, status: OperationStatus, elapsedMs: number): string {
  const progress = status.progress;
  const parts = [`${vendor}: waiting for the operation`];
  if (progress) parts.push(`poll ${progress.polls}`);
  parts.push(formatDuration(elapsedMs));
  if (progress?.percent !== undefined) parts.push(`${progress.percent}%`);
  if (progress?.message) parts.push(progress.message);
  return parts.join(' · ');
}

/**
 * A deadline-exceeded from `wait` in the CLI's words (the library's names `resume(token)`); other
 * errors unchanged.
 */
function explainWaitError(error: unknown, timeout: number | undefined, elapsedMs: number): unknown {
  if (!isEntitlementError(error) || error.kind !== 'deadline-exceeded' || error.token === undefined)
    return error;
  const limit =
    timeout !== undefined
      ? `--timeout ${timeout} ms`
      : `the vendor's default wait (${formatDuration(elapsedMs)})`;
  return error.with({
    message: `The operation was still running when the wait ended at ${limit}; it has not failed and may still complete.`,
    cause: error,
  });
}

/**
 * Creates (or resumes) an operation and, unless `wait` is false, waits for it with progress. The
 * facts keep the create's own requests (`attempts`) and meta (its HTTP status, 201 for a Confluent
 * create) apart from the polls that followed.
 */
/**
 * A command's one operation at one vendor (create, wait): the vendor's credentials checked, a
 * provisioner made, `start` run through {@link runOperation} (progress, --timeout, Ctrl-C), the
 * result shown by `show`, and the provisioner closed.
 */
export async function runWithProvisioner(
  output: Output,
  flags: ConnectionFlags & WaitFlags,
  vendor: string,
  run: Pick<RunOptions, 'starting' | 'wait'> & {
    start(provisioner: Provisioner, signal: AbortSignal): Promise<ProvisioningOperation>;
    show(result: RunResult): void;
  },
): Promise<void> {
  requireCredentials(vendor, output.env, flags);
  const tally = new Tally();
  const provisioner = await provisionerFor(flags, output, tally);
  try {
    const result = await withInterrupts(
      (signal) =>
        runOperation({
          ...(run.wait === undefined ? {} : { wait: run.wait }),
          timeout: flags.timeout,
          pollInterval: flags.pollInterval,
          output,
          tally,
          signal,
          vendor,
          starting: run.starting,
          start: (abort) => run.start(provisioner, abort),
        }),
      output.signals,
    );
    run.show(result);
  } finally {
    await provisioner.close();
  }
}

export async function runOperation(options: RunOptions): Promise<RunResult> {
  const { output, tally, vendor, signal } = options;
  const started = performance.now();
  const progress = output.progress(`${vendor}: ${options.starting}`);
  let operation: ProvisioningOperation | undefined;
  let polls = 0;
  const facts = (): RunFacts => {
    const meta = operation?.meta;
    // A resumed operation sent no create: its facts are the polls alone.
    const created = meta !== undefined && meta.attempts > 0;
    return {
      ...(created ? { attempts: meta.attempts, meta } : {}),
      polls,
      durationMs: performance.now() - started,
    };
  };
  const countPoll = (event: ProvisionerEvent) => {
    if (event.type === 'poll' && event.vendor === vendor) polls = Math.max(polls, event.polls);
  };
  tally.listeners.add(countPoll);
  try {
    operation = await options.start(signal);
    if (options.wait === false) {
      progress.succeed(`${vendor}: operation started (${formatDuration(performance.now() - started)})`);
      return { operation, facts: { ...facts(), token: operation.token } };
    }
    progress.update(`${vendor}: waiting for the operation`);
    const waitStarted = performance.now();
    let entitlement: Entitlement;
    try {
      entitlement = await operation.wait({
        signal,
        ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
        ...(options.pollInterval !== undefined ? { polling: { initialDelayMs: options.pollInterval } } : {}),
        onProgress: (status) => progress.update(progressText(vendor, status, performance.now() - started)),
      });
    } catch (error) {
      throw explainWaitError(error, options.timeout, performance.now() - waitStarted);
    }
    const result = facts();
    // A resumed operation's entitlement comes from its last poll: that is the call to show.
    if (result.meta === undefined && entitlement.meta) result.meta = entitlement.meta;
    progress.succeed(
      `${vendor}: ${entitlement.id} ${entitlement.state} (${polls} ${polls === 1 ? 'poll' : 'polls'}, ${formatDuration(result.durationMs ?? 0)})`,
    );
    return { operation, entitlement, facts: result };
  } catch (error) {
    const kind = isEntitlementError(error) ? error.kind : 'error';
    progress.fail(`${vendor}: ${kind} after ${formatDuration(performance.now() - started)}`);
    // Once the operation exists, every failure names its token (the core leaves it out of a
    // `cancelled` raised between two polls), so the user can always `entitlements wait` it.
    if (operation && isEntitlementError(error) && error.token === undefined)
      throw error.with({ token: operation.token });
    throw error;
  } finally {
    tally.listeners.delete(countPoll);
    progress.stop();
  }
}
