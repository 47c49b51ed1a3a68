import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisioner } from '../../src/provisioner.ts';
import { startConfluentEmulator } from '../../src/testing/index.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../../src/vendors/confluent/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

const exporter = new InMemorySpanExporter();
let emulator: Awaited<ReturnType<typeof startConfluentEmulator>>;

beforeAll(async () => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  emulator = await startConfluentEmulator();
});
afterAll(async () => {
  trace.disable();
  await emulator?.close();
});

const request = (externalId: string, plan: string = PLAN_ID) =>
  ({
    vendor: 'confluent',
    entitlement: {
      external_id: externalId,
      name: 'Traced',
      plan_id: plan as ConfluentPlanId,
      product_id: PRODUCT_ID as ConfluentProductId,
    },
  }) as const;

describe('OpenTelemetry spans through @opentelemetry/api', () => {
  it('one span per facade call and per wait, with the vendor and, on failure, the error kind', async () => {
    const facade = (tracing: boolean) =>
      createProvisioner({
        env: {},
        tracing,
        googleChannel: false,
        confluent: {
          baseUrl: emulator.url,
          credentials: { type: 'bearer', token: 'emulator-token' },
          polling: { initialDelayMs: 1 },
        },
      });
    const traced = facade(true);
    await (await traced.create(request('traced-1'))).wait();
    await traced.get({ vendor: 'confluent', id: 'ent-missing0' }).catch(() => undefined);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual([
      'entitlements.create',
      'entitlements.wait',
      'entitlements.get',
    ]);
    expect(spans.every((span) => span.attributes['entitlement.vendor'] === 'confluent')).toBe(true);
    expect(spans[2]?.attributes['entitlement.error_kind']).toBe('not-found');
    expect(spans[2]?.status.code).toBe(2);

    exporter.reset();
    const untraced = facade(false);
    await untraced.create(request('untraced-1'));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
