/**
 * Items, emulator options and the checks the queue tests share: Confluent items keyed by their
 * external_id, Cloud Channel items (one customer each: a customer holds one entitlement per SKU)
 * keyed by an idempotencyKey or by their content, and the counts that tell duplicates.
 */
import type { ChannelCustomer } from '../../src/testing/index.ts';

export const CHANNEL_ACCOUNT = 'accounts/C0000001';
export const CHANNEL_OFFER = `${CHANNEL_ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;

export function channelCustomers(count: number, from = 0): ChannelCustomer[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `${CHANNEL_ACCOUNT}/customers/Q${String(from + index).padStart(7, '0')}`,
    domainVerified: true,
  }));
}

export function confluentItem(tag: string, index: number, name = `Customer ${index}`) {
  return {
    vendor: 'confluent',
    entitlement: {
      external_id: `${tag}-${index}`,
      name,
      plan_id: 'confluent-cloud-payg-prod',
      product_id: 'confluent-cloud-for-apache-kafka',
    },
  };
}

/** A Cloud Channel item for customer `index`; every other one carries its own idempotencyKey, the rest are keyed by content. */
export function channelItem(tag: string, index: number) {
  return {
    vendor: 'google-channel',
    parent: `${CHANNEL_ACCOUNT}/customers/Q${String(index).padStart(7, '0')}`,
    entitlement: { offer: CHANNEL_OFFER },
    ...(index % 2 === 0 ? { idempotencyKey: `${tag}-order-${index}` } : {}),
  };
}

/** `count` mixed items: Confluent and Cloud Channel alternating. */
export function mixedItems(tag: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) =>
    index % 2 === 0 ? confluentItem(tag, index) : channelItem(tag, index),
  );
}

/** Values that occur more than once. */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) (seen.has(value) ? twice : seen).add(value);
  return [...twice];
}
