/**
 * Property-based tests of the public batch API: whatever the items (anything at all, or create
 * requests whose vendor answers at random: done at once, after some polls, retryable or permanent
 * failures, rate limits, thrown non-library errors), the batch never crashes, never leaves an
 * unhandled rejection, and every item read gets exactly one result.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBatch, keyItem, MemoryJournal } from '../../src/batch/index.ts';
import { EntitlementError } from '../../src/core/errors.ts';
import { createEmitter } from '../../src/core/events.ts';
import { createOperation } from '../../src/core/operation.ts';
import { DEFAULT_RETRY } from '../../src/core/retry.ts';
import type { CallOptions, EntitlementProvisioner, ProvisioningOperation } from '../../src/core/types.ts';

type Plan = 'done' | 'pending' | 'retryable' | 'permanent' | 'rate-limited' | 'throws' | 'poll-fails';

interface FakeRequest {
  vendor: 'fake';
  plan: Plan;
  polls?: number;
  [field: string]: unknown;
}

const noEmit = createEmitter('fake');

/** A vendor whose answers the request decides; its second attempt at a retryable failure succeeds. */
function fakeVendor(): EntitlementProvisioner<'fake', FakeRequest> & { created: number; keys: Set<string> } {
  const attempts = new Map<string, number>();
  const fake = {
    vendor: 'fake' as const,
    created: 0,
    keys: new Set<string>(),
    async create(request: FakeRequest, options: CallOptions = {}): Promise<ProvisioningOperation<'fake'>> {
      if (options.maxRetries !== 0) throw new Error('the batch must send with maxRetries 0');
      const key = options.idempotencyKey ?? '';
      const count = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, count);
      if (request.plan === 'throws') throw new TypeError('a bug in a custom adapter');
      if (request.plan === 'permanent')
        throw new EntitlementError({ kind: 'failed-precondition', vendor: 'fake', message: 'no' });
      if ((request.plan === 'retryable' || request.plan === 'rate-limited') && count === 1)
        throw new EntitlementError({
          kind: request.plan === 'rate-limited' ? 'rate-limited' : 'unavailable',
          vendor: 'fake',
          message: 'try again',
          retryAfterMs: 1,
        });
      fake.created++;
      fake.keys.add(key);
      const entitlement = {
        vendor: 'fake' as const,
        id: key,
        state: 'active' as const,
        product: 'p',
        plan: 'q',
        raw: {},
      };
      const target = request.plan === 'pending' || request.plan === 'poll-fails' ? (request.polls ?? 1) : 0;
      let polls = 0;
      return createOperation({
        vendor: 'fake',
        token: `ep1.fake-${key}`,
        replayed: false,
        meta: { vendor: 'fake', attempts: 1, durationMs: 0 },
        initial: target === 0 ? { done: true, entitlement } : { done: false },
        emit: noEmit,
        rules: { retry: DEFAULT_RETRY },
        poll: async () => {
          polls++;
          if (request.plan === 'poll-fails' && polls === 1)
            throw new EntitlementError({ kind: 'operation-failed', vendor: 'fake', message: 'it failed' });
          return polls >= target ? { done: true, entitlement } : { done: false };
        },
      });
    },
    async resume(): Promise<ProvisioningOperation<'fake'>> {
      throw new EntitlementError({ kind: 'internal', vendor: 'fake', message: 'not in this test' });
    },
    async get(): Promise<never> {
      throw new Error('unused');
    },
    async close() {},
    async [Symbol.asyncDispose]() {},
  };
  return fake;
}

const plan = fc.constantFrom<Plan>(
  'done',
  'pending',
  'retryable',
  'permanent',
  'rate-limited',
  'throws',
  'poll-fails',
);

const fakeItem = fc.record(
  {
    vendor: fc.constant('fake'),
    plan,
    polls: fc.integer({ min: 1, max: 3 }),
    idempotencyKey: fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ['vendor', 'plan'] },
);

/** Anything at all, items of unknown vendors, and well-formed items of the fake vendor. */
const item = fc.oneof(
  { weight: 1, arbitrary: fc.anything() },
  {
    weight: 1,
    arbitrary: fc.record({ vendor: fc.string(), idempotencyKey: fc.anything() }, { requiredKeys: [] }),
  },
  { weight: 4, arbitrary: fakeItem },
);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

const FAST = {
  retry: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 1 },
  polling: { initialDelayMs: 0, multiplier: 1, maxDelayMs: 1 },
  defaultRate: { limit: 100_000, intervalMs: 1000 },
};

describe('batch properties', () => {
  it('every item gets exactly one result; nothing crashes or leaks a rejection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 25 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (items, asyncInput, concurrency) => {
          const vendor = fakeVendor();
          const input = asyncInput
            ? (async function* () {
                yield* items;
              })()
            : items;
          const run = createBatch([vendor], input, { ...FAST, concurrency, journal: new MemoryJournal() });
          const positions: number[] = [];
          for await (const result of run) {
            positions.push(result.position);
            if (result.outcome === 'failed') expect(result.error instanceof EntitlementError).toBe(true);
            expect(result.outcome).not.toBe('interrupted');
          }
          const summary = await run.done();
          expect(positions.sort((a, b) => a - b)).toEqual(items.map((_, index) => index + 1));
          expect(summary.total).toBe(items.length);
          expect(summary.done + summary.failed).toBe(items.length);
          // Duplicate keys were refused: at most one entitlement per key.
          const keys = new Set<string>();
          for (const value of items) {
            try {
              keys.add(keyItem(value, undefined).key);
            } catch {
              // Not an item: it got a failed result and nothing was created for it.
            }
          }
          expect(vendor.created).toBeLessThanOrEqual(keys.size);
          expect(vendor.created).toBe(vendor.keys.size);
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('aborting at any point still gives each item read at most one result, and ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fakeItem, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 20 }),
        async (items, abortAfter) => {
          const controller = new AbortController();
          const run = createBatch([fakeVendor()], items, { ...FAST, signal: controller.signal });
          const positions: number[] = [];
          for await (const result of run) {
            positions.push(result.position);
            if (positions.length >= abortAfter) controller.abort();
          }
          if (abortAfter === 0) controller.abort();
          const summary = await run.done();
          expect(new Set(positions).size).toBe(positions.length);
          expect(positions.length).toBe(summary.total);
          expect(summary.done + summary.failed + summary.interrupted).toBe(summary.total);
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
