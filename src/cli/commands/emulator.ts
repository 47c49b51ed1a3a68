/**
 * `entitlements emulator`: both vendors' emulators and their HTTP control endpoint, standalone,
 * until SIGINT or SIGTERM, for test suites in any language. Configured by a JSON (or YAML) file
 * and flags (completion of operations, failures, quotas and rate limits with a time scale, faults,
 * seed customers and offers); it prints the endpoints, the seeded customers and what a purchase
 * meets there, the quotas, and the variables that point this CLI (or the library, or anything
 * else) at them. The control endpoint also reads the quota errors served and moves the emulators'
 * clock on.
 */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { EmulatorConfig } from '../../testing/emulator-config.ts';
import { examples } from '../help.ts';
import { parsePort } from '../options.ts';
import type { Output } from '../output.ts';

type OutputFor = (command: Command) => Output;
type ConfigModule = typeof import('../../testing/emulator-config.ts');
type EmulatorSet = import('../../testing/control/emulators.ts').EmulatorSet;

interface EmulatorFlags {
  config?: string;
  confluentPort?: number;
  channelGrpcPort?: number;
  channelRestPort?: number;
  controlPort?: number;
  completeAfterPolls?: number;
  completeAfterMs?: number;
  fault?: string[];
  quota?: string[];
  timeScale?: number;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('expected a whole number (0 or more).');
  return Number(value);
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(scale > 0) || !Number.isFinite(scale))
    throw new InvalidArgumentError('expected a number above 0 (60: a minute of quota lasts a second).');
  return scale;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Resolves with the first SIGINT or SIGTERM; `dispose` removes the listeners. */
function untilSignal(signals: Output['signals']): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const dispose = () => {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  return { received, dispose };
}

/** The configuration: the file, then the flags on top. */
async function configFrom(flags: EmulatorFlags, config: ConfigModule): Promise<EmulatorConfig> {
  let result: EmulatorConfig = {};
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch (error) {
      throw new config.EmulatorConfigError(
        `Cannot read --config ${flags.config} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check the path.`,
      );
    }
    result = await config.parseConfig(text, flags.config);
  }
  const ports = { ...result.ports };
  if (flags.confluentPort !== undefined) ports.confluent = flags.confluentPort;
  if (flags.channelGrpcPort !== undefined) ports.channelGrpc = flags.channelGrpcPort;
  if (flags.channelRestPort !== undefined) ports.channelRest = flags.channelRestPort;
  if (flags.controlPort !== undefined) ports.control = flags.controlPort;
  result.ports = ports;
  if (flags.completeAfterPolls !== undefined || flags.completeAfterMs !== undefined) {
    result['google-channel'] = { ...result['google-channel'] };
    result['google-channel'].completion = {
      ...(flags.completeAfterPolls !== undefined ? { afterPolls: flags.completeAfterPolls } : {}),
      ...(flags.completeAfterMs !== undefined ? { afterMs: flags.completeAfterMs } : {}),
    };
  }
  for (const text of flags.quota ?? []) config.applyQuotaFlag(result, text);
  if (flags.timeScale !== undefined) config.applyTimeScale(result, flags.timeScale);
  for (const text of flags.fault ?? []) {
    const { vendor, fault } = config.parseFaultFlag(text);
    const section: { faults?: unknown[] } = { ...result[vendor] };
    section.faults = [...(section.faults ?? []), fault];
    Object.assign(result, { [vendor]: section });
  }
  return result;
}

export function registerEmulator(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('emulator')
    .description(
      'run the Confluent and Cloud Channel emulators and their control endpoint on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM',
    )
    .option('--config <file>', 'a JSON (or YAML) file: ports, and per vendor its options and faults')
    .option(
      '--complete-after-polls <n>',
      'Cloud Channel operations complete on their nth poll (0: at once)',
      parseCount,
    )
    .option(
      '--complete-after-ms <ms>',
      'Cloud Channel operations complete this long after creation',
      parseCount,
    )
    .option(
      '--fault <spec>',
      'a fault queued at start and after each reset, repeatable: vendor:type[:key=value,...]',
      collect,
    )
    .option(
      '--quota <setting>',
      "a quota, repeatable: google-channel=published (the vendor's published quotas), google-channel.createPerMinute=120 (also getOperationPerMinute, getEntitlementPerMinute), confluent=600/min (every request), confluent:<operationId>=10/s (one operation of the spec; N/s, N/min, N/h, N/<n>s, N/<n>ms)",
      collect,
    )
    .option(
      '--time-scale <n>',
      "quota and rate-limit windows of both emulators pass n times faster (60: a minute's quota lasts a second)",
      parseScale,
    )
    .option(
      '--confluent-port <n>',
      'Confluent partner/v2 emulator port (default 0: any free port)',
      parsePort,
    )
    .option('--channel-grpc-port <n>', 'Cloud Channel emulator gRPC port (default 0)', parsePort)
    .option('--channel-rest-port <n>', 'Cloud Channel emulator REST port (default 0)', parsePort)
    .option('--control-port <n>', 'the HTTP control endpoint port (default 0)', parsePort)
    .addHelpText(
      'after',
      [
        '',
        "The control endpoint (JSON over HTTP, loopback only): GET / (what runs, with each vendor's quotaErrors:",
        'the quota and rate-limit errors served since the start or the last reset), POST /reset, GET /clock,',
        'POST /clock/advance {"ms": N} (moves both emulators\' time on: quota windows end, operations due by',
        'time complete, latency faults end; time never goes back), and per vendor (confluent, google-channel):',
        'GET /{vendor}/requests, GET|POST /{vendor}/faults, POST /{vendor}/reset, PUT|PATCH /{vendor}/config',
        '(restarts that emulator with new options), GET /{vendor}/entitlements, GET /google-channel/operations.',
        '',
        "In --config, each vendor takes the emulator's own options: confluent.rateLimit (one limit or a list,",
        'each { "requests", "perMs", "operationId"? }), confluent.timeScale, google-channel.quota (an object, or',
        '"published"), google-channel.timeScale, completion, customers, offers, credentials, faults.',
      ].join('\n'),
    );
  examples(command, [
    'entitlements emulator --confluent-port 8080 --channel-grpc-port 8085 --control-port 8090',
    '# slow operations, the next purchase failing, a quota, two 503s from Confluent',
    'entitlements emulator --complete-after-ms 2000 --fault google-channel:fail-operation:code=FAILED_PRECONDITION --quota google-channel.createPerMinute=60 --fault confluent:status:status=503,times=2',
    "# Cloud Channel's published quotas and 10 Confluent creates a minute, each minute lasting a second",
    'entitlements emulator --quota google-channel=published --quota confluent:createPartnerV2Entitlement=10/min --time-scale 60',
    'entitlements emulator --config emulator.json',
    '# from a test, in any language',
    'curl -s -X POST -H "Content-Type: application/json" -d \'{"type":"status","status":503}\' "$ENTITLEMENTS_EMULATOR_CONTROL/confluent/faults"',
    'curl -s -X POST -H "Content-Type: application/json" -d \'{"ms":60000}\' "$ENTITLEMENTS_EMULATOR_CONTROL/clock/advance"',
    'curl -s "$ENTITLEMENTS_EMULATOR_CONTROL/" | jq \'{confluent: .confluent.quotaErrors, channel: .["google-channel"].quotaErrors}\'',
  ]);
  command.action(async (_options: unknown, self: Command) => {
    const flags = self.opts<EmulatorFlags>();
    const output = outputFor(self);
    // Listening before the emulators start, so a signal during startup is not lost.
    const stop = untilSignal(output.signals);
    // Loaded when the command runs, not for --help.
    const [config, { EmulatorSet }, { startControlServer }] = await Promise.all([
      import('../../testing/emulator-config.ts'),
      import('../../testing/control/emulators.ts'),
      import('../../testing/control/server.ts'),
    ]);
    let set: EmulatorSet | undefined;
    let control: { url: string; close(): Promise<void> } | undefined;
    try {
      try {
        const settings = await configFrom(flags, config);
        set = await EmulatorSet.start(settings);
        control = await startControlServer(set, settings.ports?.control ?? 0);
      } catch (error) {
        stop.dispose();
        const code = (error as NodeJS.ErrnoException)?.code;
        if (code === 'EADDRINUSE' || /EADDRINUSE|No address added/.test(String((error as Error)?.message)))
          self.error(
            `error: a port is already in use (${(error as Error).message}). Choose others with --confluent-port, --channel-grpc-port, --channel-rest-port and --control-port, or 0 for free ones.`,
            { exitCode: 2, code: 'entitlements.usage' },
          );
        if (error instanceof config.EmulatorConfigError || error instanceof TypeError)
          self.error(
            `error: ${(error as Error).message}${error instanceof TypeError ? ' (fix the emulator configuration: --config or the flags)' : ''}`,
            { exitCode: 2, code: 'entitlements.usage' },
          );
        throw error;
      }
      print(output, set, control.url);
      const signal = await stop.received;
      output.note(`${signal}: stopping the emulators`);
    } finally {
      stop.dispose();
      await Promise.allSettled([control?.close(), set?.close()]);
    }
  });
}

function completionText(completion: { afterPolls?: number; afterMs?: number }): string {
  const parts: string[] = [];
  if (completion.afterPolls !== undefined)
    parts.push(completion.afterPolls === 0 ? 'at once' : `on poll ${completion.afterPolls}`);
  if (completion.afterMs !== undefined) parts.push(`${completion.afterMs} ms after creation`);
  return parts.length === 0 ? 'never (only cancel ends them)' : parts.join(', or ');
}

interface RateLimit {
  requests: number;
  perMs: number;
  operationId?: string;
}

/** What the quotas and rate limits are, in one line per vendor (none when there are none). */
function quotaLines(
  confluent: { rateLimit?: RateLimit | RateLimit[]; timeScale?: number },
  channel: { quota?: Record<string, unknown>; timeScale?: number },
): string[] {
  const scaled = (scale: number | undefined) =>
    scale === undefined || scale === 1 ? '' : ` (windows ${scale} times faster: --time-scale)`;
  const lines: string[] = [];
  const limits = confluent.rateLimit === undefined ? [] : [confluent.rateLimit].flat();
  if (limits.length > 0)
    lines.push(
      `Confluent rate limits: ${limits
        .map(
          (limit) =>
            `${limit.requests} per ${limit.perMs} ms ${limit.operationId ? `of ${limit.operationId}` : 'of every request'}`,
        )
        .join('; ')}${scaled(confluent.timeScale)}`,
    );
  const quota = Object.entries(channel.quota ?? {});
  if (quota.length > 0)
    lines.push(
      `Cloud Channel quotas: ${quota.map(([key, value]) => `${key} ${String(value)}`).join(', ')}${scaled(channel.timeScale)}`,
    );
  return lines;
}

function print(output: Output, set: EmulatorSet, controlUrl: string): void {
  const description = set.describe() as {
    confluent: {
      url: string;
      credentials: { token?: string; apiKey?: string; apiSecret?: string }[];
      rateLimit?: RateLimit | RateLimit[];
      timeScale?: number;
      pendingFaults: unknown[];
    };
    'google-channel': {
      grpc: string;
      rest: string;
      customers: { name: string; domainVerified: boolean; purchases: string }[];
      offers: { name: string; sku: string; productFamily?: string; requiresSku?: string }[];
      completion: { afterPolls?: number; afterMs?: number };
      quota?: Record<string, unknown>;
      timeScale?: number;
      pendingFaults: unknown[];
    };
  };
  const { confluent } = description;
  const channel = description['google-channel'];
  const token = confluent.credentials.find((credential) => credential.token)?.token;
  const key = confluent.credentials.find((credential) => credential.apiKey);
  const env: Record<string, string> = { CONFLUENT_BASE_URL: confluent.url };
  if (token) env.CONFLUENT_PARTNER_TOKEN = token;
  else if (key?.apiKey && key.apiSecret) {
    env.CONFLUENT_API_KEY = key.apiKey;
    env.CONFLUENT_API_SECRET = key.apiSecret;
  }
  env.CLOUD_CHANNEL_EMULATOR_HOST = channel.grpc;
  env.ENTITLEMENTS_EMULATOR_CONTROL = controlUrl;
  const credentials = [
    token ? `bearer token ${token}` : undefined,
    key ? `API key ${key.apiKey} / ${key.apiSecret}` : undefined,
  ].filter(Boolean);
  const width = Math.max(...channel.customers.map((customer) => customer.name.length), 0);
  const offerWidth = Math.max(...channel.offers.map((offer) => offer.name.length), 0);
  output.result(
    { ...description, control: { url: controlUrl }, env },
    () =>
      [
        output.style('bold', 'Emulators running on 127.0.0.1'),
        output.fields([
          ['confluent', `${confluent.url}  (${credentials.join(', or ')})`],
          ['google-channel', `grpc ${channel.grpc}, rest ${channel.rest}  (no credentials)`],
          ['control', `${controlUrl}  (faults, reset, configuration, request log)`],
        ]),
        '',
        output.style('bold', 'Cloud Channel customers'),
        ...channel.customers.map(
          (customer) => `  ${customer.name.padEnd(width)}  purchases ${customer.purchases}`,
        ),
        output.style('bold', 'Cloud Channel offers'),
        ...channel.offers.map(
          (offer) =>
            `  ${offer.name.padEnd(offerWidth)}  ${[
              offer.sku,
              offer.productFamily ? `family ${offer.productFamily}` : undefined,
              offer.requiresSku ? `needs ${offer.requiresSku} first` : undefined,
            ]
              .filter(Boolean)
              .join(', ')}`,
        ),
        `Operations complete ${completionText(channel.completion)}.`,
        ...quotaLines(confluent, channel),
        ...(confluent.rateLimit || channel.quota
          ? [`Quota errors served: GET ${controlUrl}/ (quotaErrors of each vendor)`]
          : []),
        ...(channel.pendingFaults.length + confluent.pendingFaults.length > 0
          ? [
              `Faults queued: confluent ${confluent.pendingFaults.length}, google-channel ${channel.pendingFaults.length} (GET ${controlUrl}/{vendor}/faults)`,
            ]
          : []),
        '',
        'Point the CLI, the library or your tests at them:',
        ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`),
        '',
        'Press Ctrl-C to stop.',
      ].join('\n'),
    // The emulator's own test credentials, meant to be shown (and exported).
    { redact: false },
  );
}
