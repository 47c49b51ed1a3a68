/**
 * Pacing against emulators that enforce time-scaled quotas: Cloud Channel's published figures
 * (CreateEntitlement 120/min, operations.get 600/min) and a Confluent create limit, 6 times
 * faster than real time (a 60 s window lasts 10 s: few enough requests per second that the
 * limiter, not the CPU of a loaded machine, is what paces them). The emulators must serve no quota error, and
 * creates must arrive at >= 0.95 of the quota, measured at the emulators over more than two windows.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL_PUBLISHED_QUOTA } from '../../src/testing/index.ts';
import { channelItem, confluentItem, world } from './helpers.ts';

const TIME_SCALE = 6;
const WINDOW_MS = 60_000 / TIME_SCALE;
const CHANNEL_CREATES = 120;
const CONFLUENT_CREATES = 120;
const WINDOWS = 2.1;

/**
 * Creates per window from arrival times (ms), from the second arrival to the last: a bucket's first
 * request goes alone (the next ones wait for its answer), so the pace starts with the second.
 */
function ratePerWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b).slice(1);
  const span = (sorted[sorted.length - 1] as number) - (sorted[0] as number);
  return ((sorted.length - 1) / span) * WINDOW_MS;
}

describe('pacing at time-scaled quotas', () => {
  it('serves 0 quota errors and reaches >= 0.95 of the quota for creates, Cloud Channel and Confluent at once', async () => {
    const channelCount = Math.round(CHANNEL_CREATES * WINDOWS);
    const confluentCount = Math.round(CONFLUENT_CREATES * WINDOWS);
    const w = await world({
      customers: channelCount + confluentCount,
      channel: { quota: CHANNEL_PUBLISHED_QUOTA, timeScale: TIME_SCALE, completion: { afterPolls: 1 } },
      confluent: {
        rateLimit: [
          { requests: CONFLUENT_CREATES, perMs: 60_000, operationId: 'createPartnerV2Entitlement' },
          { requests: CONFLUENT_CREATES, perMs: 60_000, operationId: 'getPartnerV2Entitlement' },
        ],
        timeScale: TIME_SCALE,
      },
    });
    const items = Array.from({ length: channelCount + confluentCount }, (_, index) =>
      index % 2 === 1 ? confluentItem(index) : channelItem(index),
    );
    // The batch knows the vendor figures (Cloud Channel's from its fleet traits) on the same scale.
    const scaled = (limit: number) => ({ limit, intervalMs: WINDOW_MS });
    const run = w.provisioner.createMany(items, {
      quotas: {
        'google-channel': { create: scaled(120), poll: scaled(600) },
        confluent: { create: scaled(CONFLUENT_CREATES), poll: scaled(CONFLUENT_CREATES) },
      },
      polling: { initialDelayMs: 200, multiplier: 1.5, maxDelayMs: 1000 },
      retry: { maxRetries: 0 },
    });
    const summary = await run.done();

    expect(summary.failed).toBe(0);
    expect(summary.done).toBe(items.length);
    expect(w.channel.quotaErrors).toBe(0);
    expect(w.confluent.quotaErrors).toBe(0);

    const channelCreates = w.channel.calls
      .filter((call) => call.method === 'CreateEntitlement')
      .map((call) => Date.parse(call.time));
    const confluentCreates = w.confluent.requests
      .filter((request) => request.operationId === 'createPartnerV2Entitlement')
      .map((request) => Date.parse(request.time));
    expect(channelCreates).toHaveLength(channelCount);
    expect(confluentCreates).toHaveLength(confluentCount);
    const channelShare = ratePerWindow(channelCreates) / CHANNEL_CREATES;
    const confluentShare = ratePerWindow(confluentCreates) / CONFLUENT_CREATES;
    expect(channelShare).toBeGreaterThanOrEqual(0.95);
    expect(channelShare).toBeLessThanOrEqual(1);
    expect(confluentShare).toBeGreaterThanOrEqual(0.95);
    expect(confluentShare).toBeLessThanOrEqual(1);
    // Polls shared one budget per vendor and stayed inside it.
    const polls = w.channel.calls.filter((call) => call.method === 'GetOperation');
    expect(polls.length).toBeGreaterThanOrEqual(channelCount);
  }, 60_000);
});
