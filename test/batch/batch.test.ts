import { describe, expect, it } from 'vitest';
import { type BatchItemResult, MemoryJournal } from '../../src/batch/index.ts';
import { channelItem, confluentItem, entitlementKeys, FAST, mixedItems, world } from './helpers.ts';

async function collect(run: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of run) results.push(result);
  return results;
}

describe('createMany', () => {
  it('creates mixed vendors, one result per item, and a summary', async () => {
    const w = await world();
    const run = w.provisioner.createMany(mixedItems(20), FAST);
    const results = await collect(run);
    const summary = await run.done();
    expect(results).toHaveLength(20);
    expect(results.every((result) => result.outcome === 'done')).toBe(true);
    expect(new Set(results.map((result) => result.position))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => i + 1)),
    );
    expect(summary).toMatchObject({
      total: 20,
      done: 20,
      failed: 0,
      byVendor: { confluent: { done: 10 }, 'google-channel': { done: 10 } },
    });
    expect(entitlementKeys(w).sort()).toHaveLength(20);
  });
});
