/**
 * `entitlements cancel <token>`: asks the vendor to cancel a running operation, then reads it once
 * to say what became of it: cancelled, still stopping (the vendor cancels on a best-effort basis),
 * or already finished (then nothing was cancelled: exit 7, or the operation's own failure).
 */
import type { Command } from 'commander';
import { isEntitlementError } from '../../core/errors.ts';
import { provisionerFor, requireCredentials, Tally, withInterrupts } from '../context.ts';
import { examples } from '../help.ts';
import { cliError, tokenVendorOrExplain } from '../messages.ts';
import { addChannelConnection, type ConnectionFlags, checkConnection, type GlobalFlags } from '../options.ts';
import type { Output } from '../output.ts';
import { TOKEN_VENDORS } from './wait.ts';

type OutputFor = (command: Command) => Output;

type Outcome = 'cancelled' | 'cancelling';

export function registerCancel(program: Command, outputFor: OutputFor): void {
  const cancel = program
    .command('cancel')
    .description('cancel a running operation (Cloud Channel) from its token; the purchase is then not made')
    .argument('<token>', 'the operation token (ep1.…) from create --no-wait or a timed-out wait');
  addChannelConnection(cancel);
  examples(cancel, [
    'token=$(entitlements create google-channel --parent accounts/C0000001/customers/S0000001 --offer accounts/C0000001/offers/OFFER-GCP --no-wait)',
    'entitlements cancel "$token"',
  ]);
  cancel.action(async (token: string, _options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<GlobalFlags & ConnectionFlags>();
    checkConnection(command, flags);
    const output = outputFor(command);
    const vendor = tokenVendorOrExplain(token, TOKEN_VENDORS);
    if (vendor === 'confluent')
      throw cliError(
        'invalid-argument',
        'A Confluent create takes effect at once, so there is no operation to cancel; nothing was sent. Read the entitlement with `entitlements wait <token>` or `entitlements get confluent <id>`.',
        { token },
      );
    requireCredentials(vendor, output.env, flags);
    const provisioner = await provisionerFor(flags, output, new Tally());
    try {
      const outcome = await withInterrupts(async (signal): Promise<Outcome> => {
        const operation = await provisioner.resume(token, { signal });
        await operation.cancel({ signal });
        try {
          const status = await operation.poll({ signal });
          if (!status.done) return 'cancelling';
          throw cliError(
            'failed-precondition',
            `The operation had already completed (entitlement ${status.entitlement?.id ?? 'unknown'}), so nothing was cancelled. Read it with \`entitlements wait <token>\`.`,
            { vendor, token },
          );
        } catch (error) {
          if (isEntitlementError(error) && error.kind === 'cancelled' && error.grpcCode !== undefined)
            return 'cancelled';
          throw error;
        }
      }, output.signals);
      output.result({ vendor, token, outcome }, () =>
        outcome === 'cancelled'
          ? `${vendor}: operation cancelled; no entitlement was created.`
          : `${vendor}: cancellation requested; the vendor may still complete the operation. Check with \`entitlements wait <token>\`.`,
      );
    } finally {
      await provisioner.close();
    }
  });
}
