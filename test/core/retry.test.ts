import { describe, expect, it } from 'vitest';
import { createEmitter, EntitlementError, type ProvisionerEvent, withRetries } from '../../src/core/index.ts';

const fast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 4, factor: 2, maxRetryAfterMs: 1_000 };

function context(events: ProvisionerEvent[], settings = fast, signal?: AbortSignal) {
  return {
    vendor: 'test',
    operation: 'op',
    settings,
    signal,
    emit: createEmitter('test', (e) => events.push(e)),
  };
}

const failure = (
  kind: EntitlementError['kind'],
  extra: Partial<ConstructorParameters<typeof EntitlementError>[0]> = {},
) => new EntitlementError({ kind, vendor: 'test', message: kind, ...extra });

describe('withRetries', () => {
  it('retries retryable errors up to maxRetries and then gives up with the last error', async () => {
    const events: ProvisionerEvent[] = [];
    let calls = 0;
    const error = await withRetries(context(events), async () => {
      calls++;
      throw failure('unavailable');
    }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.attempt)).toEqual([
      1, 2,
    ]);
  });

  it('never retries errors that are not retryable', async () => {
    let calls = 0;
    await expect(
      withRetries(context([]), async () => {
        calls++;
        throw failure('invalid-argument');
      }),
    ).rejects.toMatchObject({ kind: 'invalid-argument' });
    expect(calls).toBe(1);
  });

  it('returns the first success', async () => {
    let calls = 0;
    const value = await withRetries(context([]), async (attempt) => {
      calls++;
      if (attempt < 3) throw failure('internal');
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('waits what Retry-After asks instead of the computed backoff', async () => {
    const events: ProvisionerEvent[] = [];
    let calls = 0;
    await withRetries(context(events), async () => {
      if (++calls === 1) throw failure('rate-limited', { retryAfterMs: 20 });
      return 'ok';
    });
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', delayMs: 20, errorKind: 'rate-limited' });
  });

  it('does not retry when the vendor asks for a longer wait than allowed', async () => {
    let calls = 0;
    await expect(
      withRetries(context([]), async () => {
        calls++;
        throw failure('rate-limited', { retryAfterMs: 5_000 });
      }),
    ).rejects.toMatchObject({ kind: 'rate-limited', retryAfterMs: 5_000 });
    expect(calls).toBe(1);
  });

  it('computed delays grow and stay within the cap', async () => {
    const events: ProvisionerEvent[] = [];
    const settings = { ...fast, maxRetries: 6, initialDelayMs: 2, maxDelayMs: 10 };
    await withRetries(context(events, settings), async () => {
      throw failure('unavailable');
    }).catch(() => undefined);
    const delays = events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    expect(delays).toHaveLength(6);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(10);
    expect(Math.max(...delays)).toBeGreaterThan(2);
  });

  it('stops waiting as soon as the caller aborts', async () => {
    const controller = new AbortController();
    const slow = { ...fast, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const pending = withRetries(context([], slow, controller.signal), async () => {
      throw failure('unavailable');
    });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' });
  });
});
