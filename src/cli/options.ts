/**
 * Options several commands share (connection, waiting) and the parsers of option values. A value
 * that does not parse is a usage error (exit 2), reported by commander before anything runs.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseRateText, type RateText } from '../batch/rates.ts';
import { isEntitlementError } from '../core/errors.ts';
import { parseHostPort } from '../core/hosts.ts';

export interface GlobalFlags {
  json?: boolean;
  /** `false` with `--no-color`. */
  color?: boolean;
}

export interface ConnectionFlags {
  baseUrl?: string;
  transport?: 'grpc' | 'rest';
  endpoint?: Endpoint;
  insecure?: boolean;
}

export interface WaitFlags {
  /** `false` with `--no-wait`. */
  wait?: boolean;
  timeout?: number;
  pollInterval?: number;
}

export interface Endpoint {
  host: string;
  port: number;
}

export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('expected a positive integer (milliseconds or a count).');
  return Number(value);
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535)
    throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free port).');
  return Number(value);
}

/** `host:port`, `[ipv6]:port`. */
export function parseEndpoint(value: string): Endpoint {
  const endpoint = parseHostPort(value);
  if (!endpoint) throw new InvalidArgumentError('expected host:port, e.g. 127.0.0.1:8085 or [::1]:8085.');
  return endpoint;
}

export function addConfluentConnection(command: Command): Command {
  return command.option(
    '--base-url <url>',
    'Confluent API base URL (default: $CONFLUENT_BASE_URL, else https://api.confluent.cloud)',
  );
}

export function addChannelConnection(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--transport <transport>',
        'Cloud Channel transport (default: $CLOUD_CHANNEL_TRANSPORT, else grpc)',
      ).choices(['grpc', 'rest']),
    )
    .option(
      '--endpoint <host:port>',
      'Cloud Channel endpoint (default: $CLOUD_CHANNEL_EMULATOR_HOST, else cloudchannel.googleapis.com:443)',
      parseEndpoint,
    )
    .option('--insecure', 'plain text and no credentials, for an emulator on loopback (needs --endpoint)');
}

/** The vendors' own wait defaults, as the adapters set them (for the help text). */
const WAIT_DEFAULTS = {
  confluent: { timeout: '60 s', pollInterval: '250 ms' },
  'google-channel': { timeout: '30 min', pollInterval: '1 s' },
} as const;

export function addWaitOptions(
  command: Command,
  { noWait, vendor }: { noWait: boolean; vendor?: keyof typeof WAIT_DEFAULTS },
): Command {
  if (noWait)
    command.option('--no-wait', 'print the operation token and exit; follow it with `entitlements wait`');
  const defaults = vendor
    ? WAIT_DEFAULTS[vendor]
    : {
        timeout: `Confluent ${WAIT_DEFAULTS.confluent.timeout}, Cloud Channel ${WAIT_DEFAULTS['google-channel'].timeout}`,
        pollInterval: `Confluent ${WAIT_DEFAULTS.confluent.pollInterval}, Cloud Channel ${WAIT_DEFAULTS['google-channel'].pollInterval}`,
      };
  return command
    .option(
      '--timeout <ms>',
      `how long to wait for the operation; past it, exit 6 with the token (default ${defaults.timeout})`,
      parsePositiveInteger,
    )
    .option(
      '--poll-interval <ms>',
      `first pause between polls, growing from there (default ${defaults.pollInterval})`,
      parsePositiveInteger,
    );
}

/** Usage problems commander cannot see (options that need each other). */
export function checkConnection(command: Command, flags: ConnectionFlags): void {
  if (flags.insecure && !flags.endpoint) {
    command.error(
      "error: --insecure needs --endpoint <host:port>. Give the emulator's address with --endpoint (plain text is for loopback emulators only).",
      {
        exitCode: 2,
        code: 'entitlements.usage',
      },
    );
  }
}

/** A `--rate` of `apply` or `worker` (the grammar of src/batch/rates.ts); a bad one is a usage error. */
export function parseRateFlag(text: string, methods: readonly string[], methodRequired: boolean): RateText {
  try {
    return parseRateText(text, methods, { methodRequired });
  } catch (error) {
    throw new InvalidArgumentError(isEntitlementError(error) ? `${error.message}.` : String(error));
  }
}
