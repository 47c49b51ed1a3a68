/**
 * The extension point, proven: a third vendor registered through createProvisioner({ adapters }),
 * typed by augmenting VendorRegistry, passes the same contract suite as the built-in vendors.
 */
import { expectTypeOf, it } from 'vitest';
import { createProvisioner } from '../../src/index.ts';
import { describeProvisionerContract } from '../contract/provisioner-contract.ts';
import {
  AcmeBackend,
  type AcmeRecord,
  type AcmeRef,
  type AcmeRequest,
  createAcmeProvisioner,
} from './acme-adapter.ts';

declare module '../../src/provisioner.ts' {
  interface VendorRegistry {
    acme: { request: AcmeRequest; ref: AcmeRef; raw: AcmeRecord };
  }
}

describeProvisionerContract<AcmeRequest, AcmeRef>('acme (a third vendor through the facade)', async () => {
  const backend = new AcmeBackend();
  let loads = 0;
  const facade = createProvisioner({
    env: {},
    confluent: false,
    googleChannel: false,
    tracing: false,
    adapters: {
      acme: async () => {
        loads++;
        return createAcmeProvisioner(backend);
      },
    },
  });
  let customer = 0;
  return {
    // The contract sees the facade, so routing through the extension point is what is tested.
    provisioner: {
      vendor: 'acme',
      create: (request, options) => facade.create(request, options),
      resume: (token, options) => facade.resume(token, options),
      get: (ref, options) => facade.get(ref, options),
      close: () => facade.close(),
      [Symbol.asyncDispose]: () => facade.close(),
    },
    validRequest: (seed) => ({ vendor: 'acme', customer: `customer-${++customer}-${seed}`, sku: 'acme-pro' }),
    invalidRequest: () => ({ vendor: 'acme', customer: 'c', sku: 'NOT A SKU' }),
    idempotencyKey: (_request, seed) => seed,
    expected: (request) => ({ plan: request.sku, product: 'acme-cloud' }),
    refOf: (entitlement) => ({ vendor: 'acme', id: entitlement.id }),
    missingRef: () => ({ vendor: 'acme', id: 'acme-999999' }),
    storedCount: async () => backend.records.size,
    requestCount: async () => backend.requests,
    dropNextCreateResponse: async () => {
      backend.dropNext = true;
    },
    close: async () => {
      await facade.close();
      if (loads !== 1) throw new Error(`the acme adapter was loaded ${loads} times, expected once`);
    },
  };
});

it('augmenting VendorRegistry types the third vendor in the facade', () => {
  const facade = createProvisioner({
    env: {},
    tracing: false,
    adapters: { acme: () => createAcmeProvisioner(new AcmeBackend()) },
  });
  expectTypeOf(facade.create<'acme'>)
    .parameter(0)
    .toEqualTypeOf<AcmeRequest & { vendor: 'acme' }>();
  expectTypeOf(facade.get<'acme'>)
    .returns.resolves.toHaveProperty('raw')
    .toEqualTypeOf<AcmeRecord>();
});
