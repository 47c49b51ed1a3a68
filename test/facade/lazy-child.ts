/**
 * Child process of lazy-loading.test.ts: uses the facade for one vendor only, then reports which
 * heavy modules the process loaded (CommonJS packages land in require.cache even when imported).
 */
import { createRequire } from 'node:module';
import { createProvisioner } from '../../src/index.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../../src/vendors/confluent/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

const vendor = process.argv[2];
const provisioner = createProvisioner({ tracing: false });
if (vendor === 'confluent') {
  const operation = await provisioner.create({
    vendor: 'confluent',
    entitlement: {
      external_id: `lazy-${process.pid}`,
      name: 'Lazy',
      plan_id: PLAN_ID as ConfluentPlanId,
      product_id: PRODUCT_ID as ConfluentProductId,
    },
  });
  await operation.wait();
} else {
  const operation = await provisioner.create({
    vendor: 'google-channel',
    parent: 'accounts/C0000001/customers/S0000001',
    entitlement: { offer: 'accounts/C0000001/offers/OFFER-GCP' },
  });
  await operation.wait({ polling: { initialDelayMs: 5 } });
}
await provisioner.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
const heavy = ['google-gax', 'protobufjs', '@grpc/grpc-js'].filter((name) =>
  loaded.some((file) => file.includes(`/node_modules/${name}/`)),
);
process.stdout.write(`${JSON.stringify({ heavy })}\n`);
