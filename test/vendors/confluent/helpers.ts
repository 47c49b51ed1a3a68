import { onTestFinished } from 'vitest';
import type { ProvisionerEvent } from '../../../src/core/index.ts';
import { type ConfluentEmulator, startConfluentEmulator } from '../../../src/testing/index.ts';
import {
  type ConfluentEntitlementInput,
  type ConfluentOptions,
  createConfluentProvisioner,
} from '../../../src/vendors/confluent/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../../support/confluent-spec.ts';

export const TOKEN = 'emulator-token';
export const API_KEY = 'emulator-key';
export const API_SECRET = 'emulator-secret';

let sequence = 0;

/** A valid body; each call gets its own external_id. */
export function body(overrides: Partial<ConfluentEntitlementInput> = {}): ConfluentEntitlementInput {
  sequence++;
  return {
    external_id: `ext-${process.pid}-${sequence}`,
    name: `Acme ${sequence}`,
    plan_id: PLAN_ID as ConfluentEntitlementInput['plan_id'],
    product_id: PRODUCT_ID as ConfluentEntitlementInput['product_id'],
    ...overrides,
  };
}

export async function setup(options: Partial<ConfluentOptions> = {}, emulatorOptions = {}) {
  const emulator: ConfluentEmulator = await startConfluentEmulator(emulatorOptions);
  const events: ProvisionerEvent[] = [];
  const provisioner = createConfluentProvisioner({
    baseUrl: emulator.url,
    credentials: { type: 'bearer', token: TOKEN },
    // Keep retries fast in tests; the schedule itself is tested in test/core.
    polling: { initialDelayMs: 5, maxDelayMs: 20 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { emulator, provisioner, events };
}

/** `setup` inside a test: everything it started is closed when the test finishes. */
export async function env(...args: Parameters<typeof setup>) {
  const result = await setup(...args);
  onTestFinished(() => result.emulator.close());
  return result;
}
