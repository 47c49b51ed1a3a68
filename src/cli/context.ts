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
import type { ConnectionFlags, WaitFlags } from './options.ts';
import { formatDuration, type Output, type RunFacts } from './output.ts';

/** Requests (attempts, retries included) and polls per vendor, counted from the facade's events. */
export class Tally {
  readonly #attempts = new Map<string, number>();
  readonly #polls = new Map<string, number>();

  readonly onEvent = (event: ProvisionerEvent): void => {
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
 * The facade for a command: configuration from `env` (credentials, CONFLUENT_BASE_URL,
 * CLOUD_CHANNEL_EMULATOR_HOST, CLOUD_CHANNEL_TRANSPORT), overridden by the command's flags.
 */
export async function provisionerFor(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  tally: Tally,
  extra: Partial<ProvisionerConfig> = {},
): Promise<Provisioner> {
  // Loaded when a command runs, not for --help.
  const { createProvisioner } = await import('../provisioner.ts');
  const merged = { ...env };
  if (flags.baseUrl !== undefined) merged.CONFLUENT_BASE_URL = flags.baseUrl;
  if (flags.transport !== undefined) merged.CLOUD_CHANNEL_TRANSPORT = flags.transport;
  const googleChannel: GoogleChannelOptions = {};
  if (flags.endpoint) {
    googleChannel.apiEndpoint = flags.endpoint.host;
    googleChannel.port = flags.endpoint.port;
    googleChannel.insecure = flags.insecure === true;
  }
  return createProvisioner({ env: merged, googleChannel, onEvent: tally.onEvent, tracing: false, ...extra });
}

/**
 * Runs `work` with a signal that SIGINT (Ctrl-C) and SIGTERM abort. The library then rejects with
 * `cancelled` (exit 130), carrying the operation token when there is one. A second Ctrl-C ends
 * the process at once: the handlers step aside and the signal is raised again.
 */
export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      remove();
      process.kill(process.pid, signal);
      return;
    }
    // Stay installed: other SIGINT listeners (ora's cursor restorer) kill the process when they
    // find themselves alone.
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  const remove = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (received === undefined) throw error;
    const token = isEntitlementError(error) ? error.token : undefined;
    throw new EntitlementError({
      kind: 'cancelled',
      vendor: isEntitlementError(error) ? error.vendor : 'cli',
      message: `interrupted (${received})${token ? ': stopped waiting' : ''}`,
      ...(token !== undefined ? { token } : {}),
      cause: error,
    });
  } finally {
    remove();
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

/** Creates (or resumes) an operation and, unless `wait` is false, waits for it with progress. */
export async function runOperation(options: RunOptions): Promise<RunResult> {
  const { output, tally, vendor, signal } = options;
  const started = performance.now();
  const attemptsBefore = tally.attempts(vendor);
  const progress = output.progress(`${vendor}: ${options.starting}`);
  const facts = (): RunFacts => ({
    attempts: tally.attempts(vendor) - attemptsBefore,
    polls: tally.polls(vendor),
    durationMs: performance.now() - started,
  });
  let operation: ProvisioningOperation | undefined;
  try {
    operation = await options.start(signal);
    if (options.wait === false) {
      progress.succeed(`${vendor}: operation started (${formatDuration(performance.now() - started)})`);
      return { operation, facts: { ...facts(), token: operation.token } };
    }
    progress.update(`${vendor}: waiting for the operation`);
    const entitlement = await operation.wait({
      signal,
      ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
      ...(options.pollInterval !== undefined ? { polling: { initialDelayMs: options.pollInterval } } : {}),
      onProgress: (status) => progress.update(progressText(vendor, status, performance.now() - started)),
    });
    const result = facts();
    progress.succeed(
      `${vendor}: ${entitlement.id} ${entitlement.state} (${result.polls} ${result.polls === 1 ? 'poll' : 'polls'}, ${formatDuration(result.durationMs ?? 0)})`,
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
    progress.stop();
  }
}
