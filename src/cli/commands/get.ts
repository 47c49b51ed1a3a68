/** `entitlements get confluent <id>` and `entitlements get google-channel <name>`: read one entitlement. */
import type { Command } from 'commander';
import type { Entitlement } from '../../core/types.ts';
import type { Provisioner } from '../../provisioner.ts';
import { provisionerFor, requireCredentials, Tally, withInterrupts } from '../context.ts';
import { examples } from '../help.ts';
import {
  addChannelConnection,
  addConfluentConnection,
  type ConnectionFlags,
  checkConnection,
  type GlobalFlags,
} from '../options.ts';
import { entitlementJson, type Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

async function read(
  command: Command,
  outputFor: OutputFor,
  vendor: string,
  get: (provisioner: Provisioner, signal: AbortSignal) => Promise<Entitlement>,
): Promise<void> {
  const flags = command.optsWithGlobals<GlobalFlags & ConnectionFlags>();
  checkConnection(command, flags);
  const output = outputFor(command);
  requireCredentials(vendor, output.env, flags);
  const tally = new Tally();
  const provisioner = await provisionerFor(flags, output, tally);
  const started = performance.now();
  try {
    const entitlement = await withInterrupts((signal) => get(provisioner, signal), output.signals);
    const facts = {
      attempts: entitlement.meta?.attempts ?? tally.attempts(vendor),
      durationMs: performance.now() - started,
    };
    output.result(entitlementJson(entitlement, facts), () => output.entitlement(entitlement, facts));
  } finally {
    await provisioner.close();
  }
}

export function registerGet(program: Command, outputFor: OutputFor): void {
  const get = program.command('get').description('read an entitlement');
  examples(get, [
    'entitlements get confluent ent-abc123',
    'entitlements --json get google-channel accounts/C0000001/customers/S0000001/entitlements/E123',
  ]);

  const confluent = get
    .command('confluent')
    .description('read a Confluent Cloud entitlement by id')
    .argument('<id>', 'the entitlement id (e.g. ent-…)')
    .option('--organization-id <id>', 'the Confluent organization the entitlement belongs to');
  addConfluentConnection(confluent);
  examples(confluent, [
    'entitlements get confluent ent-abc123',
    'entitlements --json get confluent ent-abc123 --organization-id 1111aaaa-11aa-11aa-11aa-111111aaaaaa',
  ]);
  confluent.action((id: string, _options: unknown, command: Command) =>
    read(command, outputFor, 'confluent', (provisioner, signal) => {
      const { organizationId } = command.opts<{ organizationId?: string }>();
      return provisioner.get(
        { vendor: 'confluent', id, ...(organizationId !== undefined ? { organizationId } : {}) },
        { signal },
      );
    }),
  );

  const channel = get
    .command('google-channel')
    .description('read a Google Cloud Channel entitlement by name')
    .argument('<name>', 'accounts/{account}/customers/{customer}/entitlements/{entitlement}');
  addChannelConnection(channel);
  examples(channel, [
    'entitlements get google-channel accounts/C0000001/customers/S0000001/entitlements/E123',
    'entitlements --json get google-channel accounts/C123/customers/S456/entitlements/E789 --transport rest',
  ]);
  channel.action((name: string, _options: unknown, command: Command) =>
    read(command, outputFor, 'google-channel', (provisioner, signal) =>
      provisioner.get({ vendor: 'google-channel', name }, { signal }),
    ),
  );
}
