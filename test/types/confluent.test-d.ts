/**
 * Type tests (checked by `tsc --noEmit` and by vitest's typecheck mode): the request types come
 * from the generated OpenAPI types, so a valid body compiles as written and a wrong one does not.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { operationShapes } from '../../generated/confluent/shapes.ts';
import type { Entitlement } from '../../src/core/index.ts';
import {
  type ConfluentCreateRequest,
  type ConfluentEntitlementInput,
  type ConfluentEntitlementResource,
  type ConfluentPlanId,
  type ConfluentProductId,
  createConfluentProvisioner,
} from '../../src/vendors/confluent/index.ts';

type Shapes = typeof operationShapes;
type RequestFields = Shapes['createPartnerV2Entitlement']['requestBody']['schema']['properties'];
type ReadFields = Shapes['getPartnerV2Entitlement']['responses']['200']['properties'];
/** The plan and product ids the spec lists (generated/, whatever the edition). */
type ListedPlan = RequestFields['plan_id']['enum'][number];
type ListedProduct = RequestFields['product_id']['enum'][number];
/** True when the spec lists the plans a read may return as x-extensible-enum (open). */
type OpenPlans = ReadFields['plan_id'] extends { open: true } ? true : false;

const provisioner = createConfluentProvisioner({ credentials: { type: 'bearer', token: 't' } });
/** A plan and a product the spec lists, whichever edition of it generated/ holds. */
declare const plan: ListedPlan;
declare const product: ListedProduct;

describe('Confluent request types', () => {
  it('accept a valid body without casts', () => {
    const request = {
      vendor: 'confluent',
      entitlement: {
        external_id: '1111-2222',
        name: 'Acme Prod',
        plan_id: plan,
        product_id: product,
        organization: { id: 'org-1' },
      },
    } satisfies ConfluentCreateRequest;
    expectTypeOf(provisioner.create).toBeCallableWith(request);
    expectTypeOf(request.entitlement).toExtend<ConfluentEntitlementInput>();
  });

  it('take plan and product ids from the vendor spec: exactly the listed ones for a create', () => {
    expectTypeOf<ConfluentPlanId>().toEqualTypeOf<ListedPlan>();
    expectTypeOf<ConfluentProductId>().toEqualTypeOf<ListedProduct>();
    expectTypeOf<'not-a-plan'>().not.toExtend<ConfluentPlanId>();
  });

  it('read the listed plans, and any other string where the spec leaves the list open', () => {
    expectTypeOf<ListedPlan>().toExtend<ConfluentEntitlementResource['plan_id']>();
    type ReadsAnyPlan = string extends ConfluentEntitlementResource['plan_id'] ? true : false;
    expectTypeOf<ReadsAnyPlan>().toEqualTypeOf<OpenPlans>();
    // Autocomplete stays: the listed values are not swallowed by `string`.
    expectTypeOf<Extract<ConfluentEntitlementResource['plan_id'], ListedPlan>>().toEqualTypeOf<ListedPlan>();
  });

  it('reject a wrong plan_id, a missing required field and an unknown field', () => {
    provisioner.create({
      vendor: 'confluent',
      entitlement: {
        external_id: 'x',
        name: 'n',
        // @ts-expect-error: not a plan the vendor spec lists
        plan_id: 'confluent-cloud-free-forever',
        product_id: product,
      },
    });
    provisioner.create({
      vendor: 'confluent',
      // @ts-expect-error: name is required
      entitlement: {
        external_id: 'x',
        plan_id: plan,
        product_id: product,
      },
    });
    provisioner.create({
      vendor: 'confluent',
      entitlement: {
        external_id: 'x',
        name: 'n',
        plan_id: plan,
        product_id: product,
        // @ts-expect-error: not a field of the entitlement
        discount: 100,
      },
    });
    // @ts-expect-error: a request for another vendor
    provisioner.create({ vendor: 'google-channel', entitlement: {} });
  });

  it('types results with the vendor raw object', async () => {
    expectTypeOf(provisioner.get).returns.resolves.toEqualTypeOf<
      Entitlement<'confluent', ConfluentEntitlementResource>
    >();
    expectTypeOf<ConfluentEntitlementResource['metadata']>().not.toBeAny();
  });
});
