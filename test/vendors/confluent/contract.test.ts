import { startConfluentEmulator } from '../../../src/testing/index.ts';
import {
  type ConfluentCreateRequest,
  type ConfluentEntitlementRef,
  type ConfluentPlanId,
  createConfluentProvisioner,
} from '../../../src/vendors/confluent/index.ts';
import { describeProvisionerContract } from '../../contract/provisioner-contract.ts';
import { body, TOKEN } from './helpers.ts';

describeProvisionerContract<ConfluentCreateRequest, ConfluentEntitlementRef>('confluent', async () => {
  const emulator = await startConfluentEmulator();
  const provisioner = createConfluentProvisioner({
    baseUrl: emulator.url,
    credentials: { type: 'bearer', token: TOKEN },
    polling: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  return {
    provisioner,
    validRequest: (seed) => ({ vendor: 'confluent', entitlement: body({ external_id: seed }) }),
    invalidRequest: () => ({
      vendor: 'confluent',
      entitlement: { ...body(), plan_id: 'no-such-plan' as ConfluentPlanId },
    }),
    idempotencyKey: (request) => request.entitlement.external_id,
    expected: (request) => ({ product: request.entitlement.product_id, plan: request.entitlement.plan_id }),
    refOf: (entitlement) => ({ vendor: 'confluent', id: entitlement.id }),
    missingRef: () => ({ vendor: 'confluent', id: 'ent-missing0' }),
    storedCount: async () => emulator.entitlements().length,
    requestCount: async () => emulator.requests.length,
    dropNextCreateResponse: async () =>
      emulator.inject({ type: 'drop-after-commit', match: { method: 'POST' } }),
    close: () => emulator.close(),
  };
});
