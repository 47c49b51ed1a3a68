/**
 * Child process of crash.test.ts. `create PORT` creates an entitlement against the emulator, prints
 * the operation token and then waits (until it is killed); `resume PORT TOKEN` resumes the
 * operation from the token in a fresh process and prints the entitlement.
 */
import { createGoogleChannelProvisioner } from '../../../src/vendors/google-channel/index.ts';

const [mode, port, token] = process.argv.slice(2);
const provisioner = createGoogleChannelProvisioner({
  apiEndpoint: '127.0.0.1',
  port: Number(port),
  insecure: true,
  polling: { initialDelayMs: 20, maxDelayMs: 50 },
});

if (mode === 'create') {
  const operation = await provisioner.create(
    {
      vendor: 'google-channel',
      parent: 'accounts/C0000001/customers/S0000001',
      entitlement: { offer: 'accounts/C0000001/offers/OFFER-WORKSPACE-STARTER' },
    },
    { idempotencyKey: 'crash-test-order' },
  );
  process.stdout.write(`${JSON.stringify({ token: operation.token })}\n`);
  await operation.wait({ timeoutMs: 60_000 });
  process.stdout.write('finished before being killed\n');
} else if (mode === 'resume' && token) {
  const operation = await provisioner.resume(token);
  const entitlement = await operation.wait({ timeoutMs: 30_000 });
  process.stdout.write(`${JSON.stringify({ id: entitlement.id, state: entitlement.state })}\n`);
  await provisioner.close();
} else {
  throw new Error('usage: crash-child.ts create PORT | resume PORT TOKEN');
}
