import { describe, expect, it } from 'vitest';
import {
  type BatchItemResult,
  type BatchRun,
  batchEntry,
  checkBatch,
  createBatch,
  MemoryJournal,
} from '../../src/batch/index.ts';
import { EntitlementError } from '../../src/core/errors.ts';
import { googleChannelFleet } from '../../src/vendors/google-channel/fleet.ts';
import { channelItem, confluentItem, entitlementKeys, FAST, mixedItems, world } from './helpers.ts';

async function collect(run: BatchRun): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of run) results.push(result);
  return results;
}

const byPosition = (results: BatchItemResult[]) => [...results].sort((a, b) => a.position - b.position);

describe('createMany', () => {
  it('creates mixed vendors: one result per item as it finishes, and a summary', async () => {
    const w = await world();
    const run = w.provisioner.createMany(mixedItems(20), FAST);
    const results = await collect(run);
    const summary = await run.done();
    expect(results).toHaveLength(20);
    expect(results.every((result) => result.outcome === 'done')).toBe(true);
    expect(results.map((result) => result.position).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const result of results) {
      if (result.outcome !== 'done') continue;
      expect(result.entitlement.vendor).toBe(result.vendor);
      expect(result.token).toMatch(/^ep1\./);
      expect(result.fromJournal).toBe(false);
    }
    expect(summary).toMatchObject({
      total: 20,
      done: 20,
      failed: 0,
      interrupted: 0,
      byVendor: { confluent: { done: 10 }, 'google-channel': { done: 10 } },
      byErrorKind: {},
    });
    expect(summary.itemDurationMs.p99).toBeGreaterThanOrEqual(summary.itemDurationMs.p50);
    expect(summary.buckets.map((bucket) => `${bucket.vendor}:${bucket.method}`).sort()).toEqual([
      'confluent:create',
      'confluent:poll',
      'google-channel:create',
      'google-channel:poll',
    ]);
    expect(entitlementKeys(w)).toHaveLength(20);
    // Every request went out with maxRetries 0 through a bucket: creates counted once each.
    const creates = summary.buckets.filter((bucket) => bucket.method === 'create');
    expect(creates.reduce((sum, bucket) => sum + bucket.sent, 0)).toBe(20);
    expect(w.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(10);
  });

  it('streams: reads the input lazily, one async item at a time', async () => {
    const w = await world();
    let produced = 0;
    async function* items() {
      for (let index = 0; index < 12; index++) {
        produced++;
        yield index % 2 ? confluentItem(index) : channelItem(index);
      }
    }
    const run = w.provisioner.createMany(items(), { ...FAST, concurrency: 1 });
    expect(produced).toBe(0); // nothing starts before the run is iterated
    const iterator = run[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // With one request at a time the engine reads at most a small window ahead.
    expect(produced).toBeLessThan(12);
    for (let next = await iterator.next(); !next.done; next = await iterator.next());
    expect(produced).toBe(12);
    expect((await run.done()).done).toBe(12);
  });

  it('refuses a duplicate key in one batch, naming both positions, and sends nothing for it', async () => {
    const w = await world();
    const items = [
      channelItem(1),
      confluentItem(2),
      channelItem(3, { idempotencyKey: 'order-g-1' }),
      confluentItem(2, 'Other'),
    ];
    const results = byPosition(await collect(w.provisioner.createMany(items, FAST)));
    expect(results.map((result) => result.outcome)).toEqual(['done', 'done', 'failed', 'failed']);
    const third = results[2] as Extract<BatchItemResult, { outcome: 'failed' }>;
    expect(third.error).toMatchObject({
      kind: 'invalid-argument',
      reason: 'DUPLICATE_KEY',
      vendor: 'google-channel',
    });
    expect(third.error.message).toContain('item 3');
    expect(third.error.message).toContain('item 1');
    const fourth = results[3] as Extract<BatchItemResult, { outcome: 'failed' }>;
    // Confluent's key is external_id: the same order key, whatever the other fields say.
    expect(fourth.error.message).toMatch(/item 4 .* item 2/);
    expect(w.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(1);
    expect(w.confluent.entitlements()).toHaveLength(1);
  });

  it('reports bad items at their position and goes on with the others', async () => {
    const w = await world();
    const items = [
      channelItem(1),
      'not an item',
      { vendor: 'acme', entitlement: {} },
      { vendor: 'google-channel', parent: 'customers/x', entitlement: { offer: 'y' } },
      confluentItem(5),
      batchEntry(42, {
        error: new EntitlementError({
          kind: 'invalid-argument',
          vendor: 'cli',
          message: 'line 42 is not JSON',
        }),
      }),
      { vendor: 'confluent', entitlement: { external_id: 'x', plan_id: 7 } },
    ];
    const results = byPosition(await collect(w.provisioner.createMany(items as never, FAST)));
    expect(results.map((result) => [result.position, result.outcome])).toEqual([
      [1, 'done'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'done'],
      [7, 'failed'],
      [42, 'failed'],
    ]);
    const errors = results.flatMap((result) => (result.outcome === 'failed' ? [result.error] : []));
    expect(errors.every((error) => error.kind === 'invalid-argument')).toBe(true);
    // Every field at fault is named (here the parent and the offer), the first one first.
    expect(errors[2]?.details?.[0]).toEqual(expect.objectContaining({ field: 'parent' }));
    expect(errors[4]?.message).toContain('line 42');
    expect(entitlementKeys(w).sort()).toEqual(['c:order-c-5', `g:accounts/C0000001/customers/B000001`]);
  });

  it('failFast stops at the first failure; what was in flight is interrupted, not lost', async () => {
    const w = await world();
    const journal = new MemoryJournal();
    const items = [
      ...Array.from({ length: 6 }, (_, index) => channelItem(index)),
      { vendor: 'google-channel', parent: 'nope', entitlement: { offer: 'x' } },
      ...Array.from({ length: 20 }, (_, index) => channelItem(index + 10)),
    ];
    const run = w.provisioner.createMany(items, { ...FAST, journal, failFast: true, concurrency: 2 });
    const results = await collect(run);
    const summary = await run.done();
    expect(summary.stopped).toBe('fail-fast');
    expect(summary.failed).toBe(1);
    expect(summary.total).toBeLessThan(items.length);
    expect(results).toHaveLength(summary.total);
    const stats = await journal.stats();
    expect(stats.runs[0]?.outcome).toBe('failed-fast');
    // Every result that is not done says where the item stands in the journal.
    for (const result of results)
      if (result.outcome === 'interrupted') expect((await journal.get(result.key))?.state).toBe(result.state);
  });

  it('an AbortSignal stops cleanly: in-flight items are recorded and a re-run finishes them, once each', async () => {
    const w = await world({ channel: { completion: { afterPolls: 3 } } });
    const journal = new MemoryJournal();
    const items = mixedItems(30);
    const controller = new AbortController();
    const first = w.provisioner.createMany(items, { ...FAST, journal, signal: controller.signal });
    const seen: BatchItemResult[] = [];
    for await (const result of first) {
      seen.push(result);
      if (seen.length === 5) controller.abort();
    }
    const summary = await first.done();
    expect(summary.stopped).toBe('aborted');
    const interrupted = seen.filter((result) => result.outcome === 'interrupted');
    expect(interrupted.length).toBeGreaterThan(0);
    for (const result of interrupted) {
      const record = await journal.get(result.key);
      expect(record?.state).toBe(result.state);
      expect(['pending', 'sent', 'created']).toContain(record?.state);
    }
    expect((await journal.stats()).runs[0]?.outcome).toBe('interrupted');

    const second = w.provisioner.createMany(items, { ...FAST, journal });
    const again = await collect(second);
    expect(again).toHaveLength(30);
    expect(again.every((result) => result.outcome === 'done')).toBe(true);
    const skipped = again.filter((result) => result.outcome === 'done' && result.fromJournal);
    expect(skipped.length).toBe(seen.filter((result) => result.outcome === 'done').length);
    expect(entitlementKeys(w)).toHaveLength(30);
    expect(new Set(entitlementKeys(w)).size).toBe(30);
    expect(w.channel.operations()).toHaveLength(15);
  });

  it('leaving the loop early stops the batch like an abort, and it ends (the journal records the run)', async () => {
    const w = await world();
    const journal = new MemoryJournal();
    const run = w.provisioner.createMany(mixedItems(40), { ...FAST, journal, concurrency: 2 });
    for await (const result of run) {
      expect(result.outcome).toBe('done');
      break;
    }
    const summary = await run.done();
    expect(summary.stopped).toBe('aborted');
    expect(summary.total).toBeLessThan(40);
    expect((await journal.stats()).runs[0]?.outcome).toBe('interrupted');
  });

  it('an operation past its deadline fails with deadline-exceeded and its token; a re-run resumes it', async () => {
    const w = await world({ channel: { completion: { afterPolls: 30 } } });
    const journal = new MemoryJournal();
    const items = [channelItem(1)];
    const results = await collect(w.provisioner.createMany(items, { ...FAST, journal, waitTimeoutMs: 20 }));
    const failed = results[0] as Extract<BatchItemResult, { outcome: 'failed' }>;
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toMatchObject({ kind: 'deadline-exceeded', token: failed.token });
    expect(failed.token).toMatch(/^ep1\./);
    expect(await journal.get('order-g-1')).toMatchObject({ state: 'failed', token: failed.token });
    expect(w.channel.operations()[0]?.done).toBe(false);

    // The re-run polls the same operation from its token, creating nothing.
    const resumed = await collect(w.provisioner.createMany(items, { ...FAST, journal }));
    expect(resumed[0]).toMatchObject({ outcome: 'done', token: failed.token, fromJournal: false });
    expect(w.channel.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(1);
    expect(w.channel.operations()).toMatchObject([{ done: true, polls: 30 }]);
  });

  it('adapts to quota errors: slows down, honours Retry-After, and every item still gets done', async () => {
    // The batch believes in 1000 creates/s; the emulator allows 5 per 200 ms.
    const w = await world({
      channel: { quota: { createPerMinute: 5 }, timeScale: 300, completion: { afterPolls: 0 } },
    });
    const run = w.provisioner.createMany(
      Array.from({ length: 20 }, (_, index) => channelItem(index)),
      { ...FAST, retry: { maxRetries: 20, initialDelayMs: 1, maxDelayMs: 20 } },
    );
    const results = await collect(run);
    const summary = await run.done();
    expect(results.every((result) => result.outcome === 'done')).toBe(true);
    const bucket = summary.buckets.find(
      (entry) => entry.vendor === 'google-channel' && entry.method === 'create',
    );
    expect(bucket?.rateLimited).toBe(w.channel.quotaErrors);
    expect(w.channel.quotaErrors).toBeGreaterThan(0);
    expect(bucket?.currentLimit).toBeLessThan(1000);
    expect(w.channel.entitlements()).toHaveLength(20);
  });
});

describe('checkBatch (dry run)', () => {
  it('validates every item, names bad ones and duplicates, and sends nothing', async () => {
    const w = await world();
    const checks = [];
    for await (const check of checkBatch(
      [
        channelItem(1),
        { vendor: 'google-channel', parent: 'x' },
        channelItem(1),
        confluentItem(4),
        { vendor: 'mars' },
      ],
      {
        traits: { 'google-channel': googleChannelFleet },
        vendors: ['google-channel', 'confluent'],
        positionLabel: 'line',
      },
    ))
      checks.push(check);
    expect(checks.map((check) => [check.position, check.error?.kind ?? 'ok'])).toEqual([
      [1, 'ok'],
      [2, 'invalid-argument'],
      [3, 'invalid-argument'],
      [4, 'ok'],
      [5, 'invalid-argument'],
    ]);
    expect(checks[2]?.error?.message).toMatch(/line 3 .* line 1/);
    expect(w.channel.calls).toHaveLength(0);
    expect(w.confluent.requests).toHaveLength(0);
  });
});

describe('createBatch with adapters', () => {
  it('takes EntitlementProvisioners directly and refuses bad options before anything starts', async () => {
    expect(() => createBatch([], [], { concurrency: 0 })).toThrow(/concurrency/);
    expect(() =>
      createBatch([], [], { quotas: { confluent: { create: { limit: 0, intervalMs: 1 } } } }),
    ).toThrow(/quotas.confluent.create/);
    expect(() => createBatch([], [], { utilisation: 2 })).toThrow(/utilisation/);
    expect(() => createBatch({} as never, [])).toThrow(/provisioner/);
    const run = createBatch([], [confluentItem(1)], FAST);
    const [result] = await collect(run);
    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'invalid-argument' } });
  });
});
