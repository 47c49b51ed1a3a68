import type {
  GoogleChannelCreateRequest,
  GoogleChannelEntitlementRef,
} from '../../../src/vendors/google-channel/index.ts';
import { describeProvisionerContract } from '../../contract/provisioner-contract.ts';
import { OFFER_STARTER, setup, VERIFIED } from './helpers.ts';

for (const transport of ['grpc', 'rest'] as const) {
  describeProvisionerContract<GoogleChannelCreateRequest, GoogleChannelEntitlementRef>(
    `google-channel (${transport})`,
    async () => {
      const { emulator, provisioner, customer, close } = await setup(transport);
      return {
        provisioner,
        validRequest: (seed) => ({
          vendor: 'google-channel',
          parent: customer(),
          entitlement: { offer: OFFER_STARTER, purchaseOrderId: seed },
          externalCorrelationId: seed,
        }),
        invalidRequest: () => ({
          vendor: 'google-channel',
          parent: `${VERIFIED}/../../other`,
          entitlement: { offer: OFFER_STARTER },
        }),
        idempotencyKey: (_request, seed) => seed,
        expected: (request) => ({ plan: request.entitlement.offer }),
        refOf: (entitlement) => ({ vendor: 'google-channel', name: entitlement.id }),
        missingRef: () => ({ vendor: 'google-channel', name: `${VERIFIED}/entitlements/missing` }),
        storedCount: async () => emulator.entitlements().length,
        requestCount: async () => emulator.calls.length,
        dropNextCreateResponse: async () => emulator.inject({ type: 'drop-after-create' }),
        close,
      };
    },
  );
}
