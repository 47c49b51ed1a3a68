/** `entitlements wait <token>`: resume an operation from its token and wait for it, with progress. */
import type { Command } from 'commander';
import { runWithProvisioner } from '../context.ts';
import { examples } from '../help.ts';
import { tokenVendorOrExplain } from '../messages.ts';
import {
  addChannelConnection,
  addConfluentConnection,
  addWaitOptions,
  type ConnectionFlags,
  checkConnection,
  type GlobalFlags,
  type WaitFlags,
} from '../options.ts';
import { entitlementJson, type Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

/** The vendors whose tokens the CLI's commands take. */
export const TOKEN_VENDORS = ['confluent', 'google-channel'] as const;

export function registerWait(program: Command, outputFor: OutputFor): void {
  const wait = program
    .command('wait')
    .description(
      'resume an operation from its token (from create --no-wait, or a timed-out wait) and wait for it',
    )
    .argument('<token>', 'the operation token (ep1.…)');
  addConfluentConnection(wait);
  addChannelConnection(wait);
  addWaitOptions(wait, { noWait: false });
  examples(wait, [
    'token=$(entitlements create google-channel --parent accounts/C0000001/customers/S0000001 --offer accounts/C0000001/offers/OFFER-GCP --no-wait)',
    'entitlements wait "$token" --timeout 600000',
    '# in a script: the entitlement as JSON, exit code 6 if it is still running after 10 minutes',
    'entitlements --json wait "$token" --timeout 600000 > entitlement.json',
  ]);
  wait.action(async (token: string, _options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags & ConnectionFlags & WaitFlags>();
    checkConnection(command, flags);
    const output = outputFor(command);
    // A token that does not decode is refused (exit 3) before anything is loaded.
    const vendor = tokenVendorOrExplain(token, TOKEN_VENDORS);
    await runWithProvisioner(output, flags, vendor, {
      starting: 'resuming the operation',
      start: (provisioner, signal) =>
        provisioner.resume(token, {
          signal,
          ...(flags.pollInterval !== undefined ? { polling: { initialDelayMs: flags.pollInterval } } : {}),
        }),
      show: ({ entitlement, facts }) => {
        if (entitlement)
          output.result(entitlementJson(entitlement, facts), () => output.entitlement(entitlement, facts));
      },
    });
  });
}
