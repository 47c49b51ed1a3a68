import { describe, expect, it } from 'vitest';
import {
  type CallOptions,
  createEmitter,
  createOperation,
  DEFAULT_RETRY,
  type Entitlement,
  EntitlementError,
  type OperationStatus,
  type ProvisionerEvent,
} from '../../src/core/index.ts';

const entitlement: Entitlement<'test', null> = {
  vendor: 'test',
  id: 'e1',
  state: 'active',
  product: 'p',
  plan: 'q',
  raw: null,
};

function operation(
  poll: (options: CallOptions) => Promise<OperationStatus<'test', null>>,
  extra: { cancel?: () => Promise<void>; events?: ProvisionerEvent[] } = {},
) {
  return createOperation<'test', null>({
    vendor: 'test',
    token: 'ep1.token',
    replayed: false,
    meta: { vendor: 'test', attempts: 1, durationMs: 1 },
    initial: { done: false },
    poll,
    rules: { retry: DEFAULT_RETRY },
    ...(extra.cancel ? { cancel: extra.cancel } : {}),
    polling: { initialDelayMs: 1, multiplier: 2, maxDelayMs: 5 },
    emit: createEmitter('test', (e) => extra.events?.push(e)),
  });
}

describe('operation handle', () => {
  it('waits until a poll reports done, reporting progress after each other poll', async () => {
    let polls = 0;
    const progress: number[] = [];
    const events: ProvisionerEvent[] = [];
    const op = operation(async () => (++polls < 4 ? { done: false } : { done: true, entitlement }), {
      events,
    });
    const result = await op.wait({ onProgress: (status) => progress.push(status.progress?.polls ?? -1) });
    expect(result).toBe(entitlement);
    expect(op.done).toBe(true);
    expect(polls).toBe(4);
    expect(progress).toEqual([1, 2, 3]);
    const pollEvents = events.flatMap((e) => (e.type === 'poll' ? [e] : []));
    // 1 ms, doubling, capped at 5 ms; no pause after the last poll.
    expect(pollEvents.map((e) => e.nextDelayMs)).toEqual([1, 2, 4, undefined]);
  });

  it('poll() asks once and never waits', async () => {
    let polls = 0;
    const op = operation(async () => {
      polls++;
      return { done: false };
    });
    const status = await op.poll();
    expect(status.done).toBe(false);
    expect(polls).toBe(1);
  });

  it('a deadline that passes while the operation runs is deadline-exceeded carrying the token', async () => {
    const op = operation(async () => ({ done: false }));
    const error = await op.wait({ timeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'deadline-exceeded', token: 'ep1.token', retryable: true });
    expect(op.done).toBe(false);
  });

  it('a poll stuck past the deadline is cut off as deadline-exceeded', async () => {
    const op = operation(
      (options) =>
        new Promise((_, reject) =>
          options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    );
    await expect(op.wait({ timeoutMs: 30 })).rejects.toMatchObject({
      kind: 'deadline-exceeded',
      token: 'ep1.token',
    });
  });

  it('an aborted wait is cancelled', async () => {
    const controller = new AbortController();
    const op = operation(async () => ({ done: false }));
    setTimeout(() => controller.abort(), 15);
    await expect(op.wait({ signal: controller.signal, timeoutMs: 10_000 })).rejects.toMatchObject({
      kind: 'cancelled',
      token: 'ep1.token',
    });
  });

  it('a failed operation rejects with the poll error, which carries the token', async () => {
    const op = operation(async () => {
      throw new EntitlementError({ kind: 'operation-failed', vendor: 'test', message: 'failed' });
    });
    await expect(op.wait()).rejects.toMatchObject({ kind: 'operation-failed', token: 'ep1.token' });
  });

  it('cancel without vendor support is failed-precondition; with support it calls the vendor', async () => {
    await expect(operation(async () => ({ done: false })).cancel()).rejects.toMatchObject({
      kind: 'failed-precondition',
    });
    let cancelled = 0;
    await operation(async () => ({ done: false }), {
      cancel: async () => {
        cancelled++;
      },
    }).cancel();
    expect(cancelled).toBe(1);
  });

  it('rejects nonsense polling settings', async () => {
    const op = operation(async () => ({ done: false }));
    await expect(op.wait({ polling: { multiplier: 0.5 } })).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
    await expect(op.wait({ polling: { initialDelayMs: Number.NaN } })).rejects.toMatchObject({
      kind: 'invalid-argument',
    });
  });
});
