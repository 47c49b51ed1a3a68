/** `entitlements get confluent <id>` and `entitlements get google-channel <name>`: read one entitlement. */
import type { Command } from 'commander';
import type { Entitlement } from '../../core/types.ts';
import type { Provisioner } from '../../provisioner.ts';
import { provisionerFor, Tally, withInterrupts } from '../context.ts';
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
  const tally = new Tally();
  const provisioner = await provisionerFor(flags, output.env, tally);
  const started = performance.now();
  try {
    const entitlement = await withInterrupts((signal) => get(provisioner, signal));
    const facts = { attempts: tally.attempts(vendor), durationMs: performance.now() - started };
    output.result(entitlementJson(entitlement, facts), () => output.entitlement(entitlement, facts));
  } finally {
    await provisioner.close();
  }
}

export function registerGet(program: Command, outputFor: OutputFor): void {
  const get = program.command('get').description('read an entitlement');

  const confluent = get
    .command('confluent')
    .description('read a Confluent Cloud entitlement by id')
    .argument('<id>', 'the entitlement id (e.g. ent-…)')
    .option('--organization-id <id>', 'the Confluent organization the entitlement belongs to');
  addConfluentConnection(confluent);
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
  channel.action((name: string, _options: unknown, command: Command) =>
    read(command, outputFor, 'google-channel', (provisioner, signal) =>
      provisioner.get({ vendor: 'google-channel', name }, { signal }),
    ),
  );
}
