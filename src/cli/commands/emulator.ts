/**
 * `entitlements emulator`: both vendors' emulators, standalone, until SIGINT or SIGTERM. Prints
 * their endpoints and the environment variables that point this CLI (or the library, or anything
 * else) at them.
 */
import type { Command } from 'commander';
import { EntitlementError } from '../../core/errors.ts';
import type { ChannelEmulator, ConfluentEmulator } from '../../testing/index.ts';

type Testing = typeof import('../../testing/index.ts');

import { parsePort } from '../options.ts';
import type { Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

interface EmulatorFlags {
  confluentPort: number;
  channelGrpcPort: number;
  channelRestPort: number;
}

function portInUse(error: unknown, flags: EmulatorFlags): never {
  if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'cli',
      message: `a port is already in use (${(error as Error).message}): choose another port, or 0 for a free one (ports asked: confluent ${flags.confluentPort}, channel grpc ${flags.channelGrpcPort}, channel rest ${flags.channelRestPort})`,
      cause: error,
    });
  }
  throw error;
}

/** Resolves with the first SIGINT or SIGTERM; `dispose` removes the listeners. */
function untilSignal(): { received: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { received, dispose };
}

export function registerEmulator(program: Command, outputFor: OutputFor): void {
  program
    .command('emulator')
    .description(
      'run the Confluent and Cloud Channel emulators on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM',
    )
    .option('--confluent-port <n>', 'Confluent partner/v2 emulator port (0: any free port)', parsePort, 0)
    .option('--channel-grpc-port <n>', 'Cloud Channel emulator gRPC port (0: any free port)', parsePort, 0)
    .option('--channel-rest-port <n>', 'Cloud Channel emulator REST port (0: any free port)', parsePort, 0)
    .action(async (_options: unknown, command: Command) => {
      const flags = command.opts<EmulatorFlags>();
      const output = outputFor(command);
      // Listening before the emulators start, so a signal during startup is not lost.
      const stop = untilSignal();
      // Loaded when the command runs, not for --help.
      const testing = await import('../../testing/index.ts');
      let confluent: ConfluentEmulator | undefined;
      let channel: ChannelEmulator | undefined;
      try {
        const [confluentStart, channelStart] = await Promise.allSettled([
          testing.startConfluentEmulator({ port: flags.confluentPort }),
          testing.startChannelEmulator({ grpcPort: flags.channelGrpcPort, restPort: flags.channelRestPort }),
        ]);
        // One may have started while the other failed: `finally` closes whatever runs.
        if (confluentStart.status === 'fulfilled') confluent = confluentStart.value;
        if (channelStart.status === 'fulfilled') channel = channelStart.value;
        if (confluentStart.status === 'rejected') portInUse(confluentStart.reason, flags);
        if (channelStart.status === 'rejected') portInUse(channelStart.reason, flags);
        print(output, testing, confluent as ConfluentEmulator, channel as ChannelEmulator);
        const signal = await stop.received;
        output.note(`${signal}: stopping the emulators`);
      } finally {
        stop.dispose();
        await Promise.allSettled([confluent?.close(), channel?.close()]);
      }
    });
}

function print(
  output: Output,
  testing: Testing,
  confluent: ConfluentEmulator,
  channel: ChannelEmulator,
): void {
  const { DEFAULT_CHANNEL_CUSTOMERS, DEFAULT_CHANNEL_OFFERS, DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS } =
    testing;
  const grpc = `${channel.grpcAddress.host}:${channel.grpcAddress.port}`;
  const env = {
    CONFLUENT_BASE_URL: confluent.url,
    CONFLUENT_PARTNER_TOKEN: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token,
    CLOUD_CHANNEL_EMULATOR_HOST: grpc,
  };
  output.result(
    {
      confluent: {
        url: confluent.url,
        token: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token,
        apiKey: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.apiKey,
        apiSecret: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.apiSecret,
      },
      googleChannel: {
        grpc,
        rest: channel.restUrl,
        customers: DEFAULT_CHANNEL_CUSTOMERS.map((customer) => customer.name),
        offers: DEFAULT_CHANNEL_OFFERS.map((offer) => offer.name),
      },
      env,
    },
    () =>
      [
        output.style('bold', 'Emulators running on 127.0.0.1'),
        output.fields([
          ['confluent', `${confluent.url}  (bearer token ${DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token})`],
          ['google-channel', `grpc ${grpc}, rest ${channel.restUrl}  (no credentials)`],
          ['customers', DEFAULT_CHANNEL_CUSTOMERS.map((customer) => customer.name).join(', ')],
          ['offers', DEFAULT_CHANNEL_OFFERS.map((offer) => offer.name).join(', ')],
        ]),
        '',
        'Point the CLI or the library at them:',
        ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`),
        '',
        'Press Ctrl-C to stop.',
      ].join('\n'),
  );
}
