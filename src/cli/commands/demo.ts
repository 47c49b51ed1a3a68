/**
 * `entitlements demo` (what `npm start` runs): both vendors' emulators in this process on random
 * loopback ports, the facade pointed at them, one entitlement provisioned at each vendor with the
 * long-running operation's progress shown, a summary table, and everything closed again (the
 * process then ends by itself).
 */
import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import type { Entitlement } from '../../core/types.ts';
import { CONFLUENT_PLAN_IDS, CONFLUENT_PRODUCT_IDS } from '../../vendors/confluent/catalog.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../../vendors/confluent/types.ts';
import { runOperation, Tally, withInterrupts } from '../context.ts';
import { examples } from '../help.ts';
import { parsePositiveInteger } from '../options.ts';
import { entitlementJson, formatDuration, type Output, type RunFacts } from '../output.ts';

type OutputFor = (command: Command) => Output;

interface DemoFlags {
  transport: 'grpc' | 'rest';
  polls: number;
}

interface Row {
  entitlement: Entitlement;
  facts: RunFacts;
}

export function registerDemo(program: Command, outputFor: OutputFor): void {
  const command = program
    .command('demo')
    .description(
      'provision one entitlement at each vendor against in-process emulators (no credentials, no network)',
    )
    .addOption(
      new Option('--transport <transport>', 'Cloud Channel transport to the emulator')
        .choices(['grpc', 'rest'])
        .default('grpc'),
    )
    .option(
      '--polls <n>',
      'polls after which the Cloud Channel operation completes',
      parsePositiveInteger,
      3,
    );
  examples(command, ['entitlements demo', 'entitlements --json demo --transport rest --polls 1']);
  command.action(async (_options: unknown, command: Command) => {
    const flags = command.opts<DemoFlags>();
    await demo(outputFor(command), flags);
  });
}

async function demo(output: Output, flags: DemoFlags): Promise<void> {
  // Loaded when the demo runs, not for --help.
  const [
    { createProvisioner },
    {
      DEFAULT_CHANNEL_CUSTOMERS,
      DEFAULT_CHANNEL_OFFERS,
      DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS,
      startChannelEmulator,
      startConfluentEmulator,
    },
  ] = await Promise.all([import('../../provisioner.ts'), import('../../testing/index.ts')]);
  const startup = output.progress('starting the emulators');
  const started = await Promise.allSettled([
    startConfluentEmulator(),
    startChannelEmulator({ completion: { afterPolls: flags.polls } }),
  ]);
  startup.stop();
  const [confluentStart, channelStart] = started;
  if (confluentStart.status === 'rejected' || channelStart.status === 'rejected') {
    // Close the one that started, so the process can still end by itself.
    await Promise.allSettled(started.map((result) => result.status === 'fulfilled' && result.value.close()));
    throw confluentStart.status === 'rejected'
      ? confluentStart.reason
      : (channelStart as PromiseRejectedResult).reason;
  }
  const [confluentEmulator, channelEmulator] = [confluentStart.value, channelStart.value];
  const tally = new Tally();
  const channelPort =
    flags.transport === 'grpc'
      ? channelEmulator.grpcAddress.port
      : Number(new URL(channelEmulator.restUrl).port);
  const provisioner = createProvisioner({
    // Only the emulators: nothing from the environment (no real credentials, no real endpoints).
    env: {},
    tracing: false,
    onEvent: tally.onEvent,
    confluent: {
      baseUrl: confluentEmulator.url,
      credentials: { type: 'bearer', token: DEFAULT_CONFLUENT_EMULATOR_CREDENTIALS.token },
    },
    googleChannel: {
      transport: flags.transport,
      apiEndpoint: '127.0.0.1',
      port: channelPort,
      insecure: true,
      // Short pauses, so the demo shows a few polls in about a second.
      polling: { initialDelayMs: 300, multiplier: 1.5, maxDelayMs: 1_000 },
    },
  });
  const emulators = {
    confluent: { url: confluentEmulator.url },
    googleChannel: {
      grpc: `${channelEmulator.grpcAddress.host}:${channelEmulator.grpcAddress.port}`,
      rest: channelEmulator.restUrl,
      transport: flags.transport,
    },
  };
  output.say(
    [
      output.style('bold', 'Emulators (in this process, loopback only)'),
      output.fields([
        ['confluent', confluentEmulator.url],
        [
          'google-channel',
          `grpc ${emulators.googleChannel.grpc}, rest ${channelEmulator.restUrl} (using ${flags.transport})`,
        ],
      ]),
      '',
    ].join('\n'),
  );
  const rows: Row[] = [];
  try {
    await withInterrupts(async (signal) => {
      const suffix = randomUUID().slice(0, 8);
      const confluent = await runOperation({
        output,
        tally,
        signal,
        vendor: 'confluent',
        starting: 'creating entitlement',
        start: (abort) =>
          provisioner.create(
            {
              vendor: 'confluent',
              entitlement: {
                external_id: `demo-${suffix}`,
                name: 'Acme Demo',
                // The spec's own ids: another edition of it changes them, and the demo follows.
                plan_id: CONFLUENT_PLAN_IDS[0] as ConfluentPlanId,
                product_id: CONFLUENT_PRODUCT_IDS[0] as ConfluentProductId,
              },
            },
            { signal: abort },
          ),
      });
      if (confluent.entitlement) rows.push({ entitlement: confluent.entitlement, facts: confluent.facts });
      const [customer, offer] = [DEFAULT_CHANNEL_CUSTOMERS[0], DEFAULT_CHANNEL_OFFERS[0]];
      if (!customer || !offer) throw new Error('the Cloud Channel emulator has no default customer or offer');
      const channel = await runOperation({
        output,
        tally,
        signal,
        vendor: 'google-channel',
        starting: 'creating entitlement',
        start: (abort) =>
          provisioner.create(
            {
              vendor: 'google-channel',
              parent: customer.name,
              entitlement: {
                offer: offer.name,
                parameters: [{ name: 'num_units', value: { int64Value: '10' } }],
              },
              externalCorrelationId: `demo-${suffix}`,
            },
            { signal: abort, idempotencyKey: `demo-${suffix}` },
          ),
      });
      if (channel.entitlement) rows.push({ entitlement: channel.entitlement, facts: channel.facts });
    }, output.signals);
  } finally {
    await provisioner.close();
    await Promise.all([confluentEmulator.close(), channelEmulator.close()]);
  }
  output.result(
    { emulators, entitlements: rows.map((row) => entitlementJson(row.entitlement, row.facts)) },
    () =>
      [
        '',
        output.table(
          ['vendor', 'id', 'state', 'plan / offer', 'product', 'polls', 'attempts', 'duration'],
          rows.map(({ entitlement, facts }) => [
            entitlement.vendor,
            entitlement.id,
            output.style(entitlement.state === 'active' ? 'green' : 'yellow', entitlement.state),
            entitlement.plan,
            entitlement.product,
            String(facts.polls ?? 0),
            String(facts.attempts ?? 0),
            formatDuration(facts.durationMs ?? 0),
          ]),
        ),
        '',
        'Emulators closed. Try the commands yourself: `npx entitlements emulator` in one terminal, then `npx entitlements create --help`.',
      ].join('\n'),
  );
}
