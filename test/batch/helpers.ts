/**
 * Both emulators, a facade pointed at them, and items for them: each Cloud Channel item buys the
 * starter SKU for its own customer (so no two collide), each Confluent item has its own
 * external_id.
 */
import { onTestFinished } from 'vitest';
import type { BatchItem, BatchOptions } from '../../src/batch/index.ts';
import { createProvisioner, type Provisioner } from '../../src/provisioner.ts';
import {
  type ChannelEmulator,
  type ChannelEmulatorOptions,
  type ConfluentEmulator,
  type ConfluentEmulatorOptions,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import { PLAN_ID, PRODUCT_ID } from '../support/confluent-spec.ts';

export const ACCOUNT = 'accounts/C0000001';
export const OFFER_STARTER = `${ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;
export const TOKEN = 'emulator-token';

export const customerName = (index: number) => `${ACCOUNT}/customers/B${String(index).padStart(6, '0')}`;

export function customers(count: number) {
  return [
    { name: `${ACCOUNT}/customers/S0000001` },
    { name: `${ACCOUNT}/customers/S0000002`, domainVerified: false },
    ...Array.from({ length: count }, (_, index) => ({ name: customerName(index) })),
  ];
}

export function channelItem(index: number, extra: Partial<BatchItem> = {}): BatchItem {
  return {
    vendor: 'google-channel',
    idempotencyKey: `order-g-${index}`,
    parent: customerName(index),
    entitlement: { offer: OFFER_STARTER },
    ...extra,
  };
}

export function confluentItem(index: number, name = `Acme ${index}`): BatchItem {
  return {
    vendor: 'confluent',
    entitlement: {
      external_id: `order-c-${index}`,
      name,
      plan_id: PLAN_ID,
      product_id: PRODUCT_ID,
    },
  };
}

/** Alternating vendors: even positions Cloud Channel, odd ones Confluent. */
export function mixedItems(count: number): BatchItem[] {
  return Array.from({ length: count }, (_, index) =>
    index % 2 === 0 ? channelItem(index) : confluentItem(index),
  );
}

/** Fast settings for tests: tiny backoff and polling, high rates. */
export const FAST: BatchOptions = {
  retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 },
  polling: { initialDelayMs: 2, multiplier: 1.5, maxDelayMs: 20 },
  defaultRate: { limit: 1000, intervalMs: 1000 },
  quotas: {
    'google-channel': { create: { limit: 1000, intervalMs: 1000 }, poll: { limit: 1000, intervalMs: 1000 } },
  },
};

export interface World {
  channel: ChannelEmulator;
  confluent: ConfluentEmulator;
  provisioner: Provisioner;
}

/** Starts both emulators and a facade for them; everything closes when the test ends. */
export async function world(
  options: {
    customers?: number;
    channel?: ChannelEmulatorOptions;
    confluent?: ConfluentEmulatorOptions;
  } = {},
): Promise<World> {
  const channel = await startChannelEmulator({
    customers: customers(options.customers ?? 100),
    completion: { afterPolls: 2 },
    ...options.channel,
  });
  const confluent = await startConfluentEmulator(options.confluent);
  const provisioner = createProvisioner({
    env: {},
    tracing: false,
    confluent: { baseUrl: confluent.url, credentials: { type: 'bearer', token: TOKEN } },
    googleChannel: { apiEndpoint: '127.0.0.1', port: channel.grpcAddress.port, insecure: true },
  });
  onTestFinished(async () => {
    await provisioner.close();
    await Promise.all([channel.close(), confluent.close()]);
  });
  return { channel, confluent, provisioner };
}

/** Every entitlement at both emulators: Cloud Channel by parent, Confluent by external_id. */
export function entitlementKeys(w: World): string[] {
  return [
    ...w.channel.entitlements().map((entitlement) => `g:${entitlement.name?.split('/entitlements/')[0]}`),
    ...w.confluent.entitlements().map((entitlement) => `c:${entitlement.external_id}`),
  ];
}
