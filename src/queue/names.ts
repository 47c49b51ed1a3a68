/**
 * Where an item lives in Redis: one BullMQ queue per vendor for items (`<name>-<vendor>`), one
 * more for polls when the vendor's polls have a quota of their own (`<name>-<vendor>-poll`), and
 * the job id derived from the item's key.
 */
import { createHash } from 'node:crypto';
import { EntitlementError } from '../core/errors.ts';

/** The default queue name: item queues are `entitlements-confluent`, `entitlements-google-channel`. */
export const DEFAULT_QUEUE_NAME = 'entitlements';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function invalid(message: string, vendor = 'queue'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

export function checkQueueName(name: unknown, field = 'queueName'): string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalid(
      `${field} must be 1-100 letters, digits, '_', '.' or '-' (no ':'), got ${JSON.stringify(name)}`,
    );
  return name;
}

export function checkVendor(vendor: unknown): string {
  if (typeof vendor !== 'string' || !NAME.test(vendor))
    throw invalid(`a vendor id is letters, digits, '_', '.' or '-', got ${JSON.stringify(vendor)}`);
  return vendor;
}

export function itemQueueName(name: string, vendor: string): string {
  return `${name}-${vendor}`;
}

export function pollQueueName(name: string, vendor: string): string {
  return `${name}-${vendor}-poll`;
}

/**
 * The BullMQ job id of an item: `k-` + SHA-256 (hex) of its key. Deterministic (a re-enqueued
 * item finds its job), never an integer and free of ':' (both of which BullMQ refuses), and of a
 * fixed length whatever the key. Keys are per vendor: each vendor has its own queue.
 */
export function jobIdForKey(key: string): string {
  return `k-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
