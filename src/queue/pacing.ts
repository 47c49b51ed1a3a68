/**
 * Cluster-wide pacing: each vendor quota becomes the BullMQ limiter of the queue whose job starts
 * spend it. BullMQ counts job starts in Redis, so every worker of the cluster shares one count.
 *
 * The limiter lets one job start per `duration` milliseconds (`max: 1`): a window opens with its
 * start, so consecutive starts are at least `duration` apart and no interval of the quota's length
 * holds more than `intervalMs / duration + 1` of them (BullMQ's fixed windows cannot burst at their
 * boundaries when they hold one start). With `duration = intervalMs / (limit - held back)` and at
 * least 2 requests per window held back (one for that boundary, one for jitter between a job's
 * start and its request reaching the vendor), the vendor never counts more than its limit, in any
 * of its windows, however they are aligned. 2% of the quota (at least 2 requests) is held back by
 * default: Cloud Channel's 120/min becomes one create every 513 ms (117/min), 600/min two polls
 * every 205 ms (585/min, see below). (BullMQ's durations are whole milliseconds, rounded up here: at rates
 * above about 10 per second the rounding costs a few percent more.)
 */
import type { Quota, VendorFleetTraits } from '../batch/items.ts';
import { EntitlementError } from '../core/errors.ts';

/** The quotas of one vendor. `all`: one bucket for every call (creates and polls share it). */
export interface VendorQueueQuotas {
  /** Create requests per interval. */
  create?: Quota;
  /** Polls of pending operations per interval. */
  poll?: Quota;
  /** One quota for every request to the vendor (instead of `create` and `poll`). */
  all?: Quota;
}

/** Quotas by vendor id; a vendor left out gets its published figures (fleet traits), if any. */
export type QueueQuotas = Record<string, VendorQueueQuotas>;

/** How a vendor's work is laid out in queues. */
export interface VendorLayout {
  vendor: string;
  /**
   * True when creates and polls spend one bucket: both run in the item queue (a job re-schedules
   * itself, delayed, between polls). False: polls run in their own queue with their own limiter.
   */
  shared: boolean;
  /** The quota of the item queue (creates, or every call when shared); undefined: unpaced. */
  itemQuota?: Quota;
  /** The quota of the poll queue (not shared); undefined: unpaced. */
  pollQuota?: Quota;
}

/** The share of each quota held back by default (at least 2 requests per window). */
export const DEFAULT_QUOTA_HEADROOM = 0.02;
const MIN_HELD_BACK = 2;

/** A limiter for a queue without quota: effectively unlimited, but present, so that a vendor's rate-limit answer can still pause the queue. */
export const UNPACED_LIMITER = { max: 1_000_000_000, duration: 1_000 } as const;

function invalid(message: string, vendor = 'queue'): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor, message });
}

export function checkQuota(quota: unknown, field: string): Quota {
  if (typeof quota !== 'object' || quota === null) throw invalid(`${field} must be { limit, intervalMs }`);
  const { limit, intervalMs } = quota as Quota;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw invalid(`${field}.limit must be a whole number >= 1, got ${String(limit)}`);
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 1)
    throw invalid(`${field}.intervalMs must be a number of milliseconds >= 1, got ${String(intervalMs)}`);
  return { limit, intervalMs };
}

export function checkHeadroom(headroom: unknown): number {
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 0 || headroom >= 1)
    throw invalid(`quotaHeadroom must be a fraction from 0 to less than 1, got ${String(headroom)}`);
  return headroom;
}

/** Limiter windows shorter than this hold more than one start (each window costs a worker's wake-up). */
const MIN_WINDOW_MS = 250;

/** The BullMQ limiter that keeps a queue's job starts within `quota` (see the module comment). */
export function limiterFor(
  quota: Quota | undefined,
  headroom = DEFAULT_QUOTA_HEADROOM,
): { max: number; duration: number } {
  if (!quota) return { ...UNPACED_LIMITER };
  const heldBack = Math.max(MIN_HELD_BACK, Math.ceil(quota.limit * headroom));
  const allowed = quota.limit - heldBack;
  // A quota of 1 or 2 per window: one start per window and a bit, so that two never share one.
  if (allowed < 1) return { max: 1, duration: Math.ceil(quota.intervalMs * 1.05) };
  const spacing = quota.intervalMs / allowed;
  // Fast quotas: k starts per window of k spacings, so that the time a worker takes to notice a
  // window's end is spent once per k starts. A window of k can add 2k - 1 starts at the edges of
  // an interval, so k stays within half of what is held back.
  const max = Math.max(1, Math.min(Math.floor(MIN_WINDOW_MS / spacing), Math.floor(heldBack / 2)));
  return { max, duration: Math.ceil(spacing * max) };
}

/** The starts per minute a limiter allows (for status and the bench). */
export function perMinute(limiter: { max: number; duration: number }): number {
  return (limiter.max * 60_000) / limiter.duration;
}

/** The layout of a vendor's queues from the configured quotas, else its published ones. */
export function layoutFor(
  vendor: string,
  quotas: QueueQuotas | undefined,
  traits: VendorFleetTraits | undefined,
): VendorLayout {
  const given = quotas?.[vendor];
  const field = `quotas[${JSON.stringify(vendor)}]`;
  if (given !== undefined && (typeof given !== 'object' || given === null))
    throw invalid(`${field} must be { create?, poll? } or { all }`);
  if (given?.all !== undefined) {
    if (given.create !== undefined || given.poll !== undefined)
      throw invalid(
        `${field} has "all" and "create"/"poll": give one bucket for everything, or one per method`,
      );
    return { vendor, shared: true, itemQuota: checkQuota(given.all, `${field}.all`) };
  }
  const create =
    given?.create !== undefined ? checkQuota(given.create, `${field}.create`) : traits?.quotas?.create;
  const poll = given?.poll !== undefined ? checkQuota(given.poll, `${field}.poll`) : traits?.quotas?.poll;
  if (!create && !poll) return { vendor, shared: true };
  return {
    vendor,
    shared: false,
    ...(create ? { itemQuota: create } : {}),
    ...(poll ? { pollQuota: poll } : {}),
  };
}
