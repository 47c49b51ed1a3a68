/** `entitlements wait <token>`: resume an operation from its token and wait for it, with progress. */
import type { Command } from 'commander';
import { tokenVendor } from '../../core/token.ts';
import { provisionerFor, runOperation, Tally, withInterrupts } from '../context.ts';
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
  wait.action(async (token: string, _options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags & ConnectionFlags & WaitFlags>();
    checkConnection(command, flags);
    const output = outputFor(command);
    // A token that does not decode is invalid-argument (exit 3), before anything is loaded.
    const vendor = tokenVendor(token);
    const tally = new Tally();
    const provisioner = await provisionerFor(flags, output.env, tally);
    try {
      const { entitlement, facts } = await withInterrupts((signal) =>
        runOperation({
          timeout: flags.timeout,
          pollInterval: flags.pollInterval,
          output,
          tally,
          signal,
          vendor,
          starting: 'resuming the operation',
          start: (abort) =>
            provisioner.resume(token, {
              signal: abort,
              ...(flags.pollInterval !== undefined
                ? { polling: { initialDelayMs: flags.pollInterval } }
                : {}),
            }),
        }),
      );
      if (entitlement)
        output.result(entitlementJson(entitlement, facts), () => output.entitlement(entitlement, facts));
    } finally {
      await provisioner.close();
    }
  });
}
