import { onTestFinished } from 'vitest';
import type { ProvisionerEvent } from '../../../src/core/index.ts';
import { startChannelEmulator } from '../../../src/testing/index.ts';
import {
  createGoogleChannelProvisioner,
  type GoogleChannelOptions,
  type Transport,
} from '../../../src/vendors/google-channel/index.ts';

export const ACCOUNT = 'accounts/C0000001';
export const VERIFIED = `${ACCOUNT}/customers/S0000001`;
export const UNVERIFIED = `${ACCOUNT}/customers/S0000002`;
export const OFFER_STARTER = `${ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;
export const OFFER_STANDARD = `${ACCOUNT}/offers/OFFER-WORKSPACE-STANDARD`;
export const OFFER_VAULT = `${ACCOUNT}/offers/OFFER-VAULT`;
export const OFFER_GCP = `${ACCOUNT}/offers/OFFER-GCP`;

export type Emulator = Awaited<ReturnType<typeof startChannelEmulator>>;

/** Connection options of the adapter for an emulator, per transport. */
export function endpoint(emulator: Emulator, transport: Transport): GoogleChannelOptions {
  const port = transport === 'grpc' ? emulator.grpcAddress.port : Number(new URL(emulator.restUrl).port);
  return { transport, apiEndpoint: '127.0.0.1', port, insecure: true };
}

/** Many verified customers, so that tests never collide on a SKU. */
export function customers(count: number) {
  return [
    { name: VERIFIED },
    { name: UNVERIFIED, domainVerified: false },
    ...Array.from({ length: count }, (_, index) => ({
      name: `${ACCOUNT}/customers/T${String(index).padStart(6, '0')}`,
    })),
  ];
}

export async function setup(
  transport: Transport,
  options: Partial<GoogleChannelOptions> = {},
  emulatorOptions: Parameters<typeof startChannelEmulator>[0] = {},
) {
  const emulator = await startChannelEmulator({ customers: customers(40), ...emulatorOptions });
  const events: ProvisionerEvent[] = [];
  const provisioner = createGoogleChannelProvisioner({
    ...endpoint(emulator, transport),
    polling: { initialDelayMs: 5, maxDelayMs: 20 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  let next = 0;
  const customer = () => `${ACCOUNT}/customers/T${String(next++).padStart(6, '0')}`;
  return {
    emulator,
    provisioner,
    events,
    customer,
    close: async () => {
      await provisioner.close();
      await emulator.close();
    },
  };
}

/** `setup` inside a test: everything it started is closed when the test finishes. */
export async function env(...args: Parameters<typeof setup>) {
  const result = await setup(...args);
  onTestFinished(() => result.close());
  return result;
}
