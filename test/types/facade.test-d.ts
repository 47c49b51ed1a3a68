import { describe, expectTypeOf, it } from 'vitest';
import type { ProvisioningOperation } from '../../src/core/index.ts';
import { createProvisioner } from '../../src/provisioner.ts';
import type {
  ConfluentEntitlementResource,
  ConfluentPlanId,
  ConfluentProductId,
} from '../../src/vendors/confluent/types.ts';
import type { GoogleChannelEntitlementResource } from '../../src/vendors/google-channel/types.ts';

const provisioner = createProvisioner({ confluent: false, tracing: false });
/** A plan and a product the spec lists, whichever edition of it generated/ holds. */
declare const plan: ConfluentPlanId;
declare const product: ConfluentProductId;

describe('facade types', () => {
  it('route by the request vendor and keep the vendor request and result types', async () => {
    const confluent = provisioner.create({
      vendor: 'confluent',
      entitlement: {
        external_id: 'x',
        name: 'n',
        plan_id: plan,
        product_id: product,
      },
    });
    expectTypeOf(confluent).resolves.toEqualTypeOf<
      ProvisioningOperation<'confluent', ConfluentEntitlementResource>
    >();
    const google = provisioner.create({
      vendor: 'google-channel',
      parent: 'accounts/a/customers/c',
      entitlement: { offer: 'accounts/a/offers/o' },
    });
    expectTypeOf(google).resolves.toEqualTypeOf<
      ProvisioningOperation<'google-channel', GoogleChannelEntitlementResource>
    >();
    expectTypeOf(provisioner.get({ vendor: 'google-channel', name: 'x' }))
      .resolves.toHaveProperty('raw')
      .toEqualTypeOf<GoogleChannelEntitlementResource>();
  });

  it('reject a request that does not fit its vendor, and unknown vendors', () => {
    provisioner.create({
      vendor: 'confluent',
      entitlement: {
        external_id: 'x',
        name: 'n',
        // @ts-expect-error: not a plan the vendor spec lists
        plan_id: 'nope',
        product_id: product,
      },
    });

    // @ts-expect-error: a Google request needs a parent
    provisioner.create({ vendor: 'google-channel', entitlement: { offer: 'accounts/a/offers/o' } });
    // @ts-expect-error: no such vendor registered in the types
    provisioner.create({ vendor: 'acme', sku: 'x' });
  });
});
