import { describe, expect, it } from 'vitest';
import {
  type Call,
  type CallSettings,
  createEmitter,
  EntitlementError,
  type ProvisionerEvent,
  Redactor,
  resolveRetry,
  runCall,
} from '../../src/core/index.ts';

const fast = resolveRetry('test', { initialDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 1_000 }, 2);

function settings(events: ProvisionerEvent[] = [], retry = fast, redactor = new Redactor()): CallSettings {
  return {
    vendor: 'test',
    emit: createEmitter('test', (e) => events.push(e), redactor),
    redactor,
    retry,
    timeoutMs: 5_000,
  };
}

function call<T>(attempt: Call<T>['attempt'], extra: Partial<Call<T>> = {}): Call<T> {
  return {
    operation: 'op',
    subject: 'thing',
    attempt,
    failure: (error, facts) =>
      new EntitlementError({
        kind: facts.timedOut ? 'deadline-exceeded' : 'unavailable',
        vendor: 'test',
        message: facts.timedOut ? 'timed out' : 'transport failed',
        cause: error,
      }),
    ...extra,
  };
}

const failure = (
  kind: EntitlementError['kind'],
  extra: Partial<ConstructorParameters<typeof EntitlementError>[0]> = {},
) => new EntitlementError({ kind, vendor: 'test', message: kind, ...extra });

const retries = (events: ProvisionerEvent[]) => events.flatMap((e) => (e.type === 'retry' ? [e] : []));

describe('the call loop', () => {
  it('retries retryable errors up to maxRetries, then fails with the last error and the attempt count', async () => {
    const events: ProvisionerEvent[] = [];
    let calls = 0;
    const error = await runCall(
      settings(events),
      call(async () => {
        calls++;
        throw failure('unavailable');
      }),
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ kind: 'unavailable', attempts: 3 });
    expect(retries(events).map((e) => e.attempt)).toEqual([1, 2]);
    expect(events.at(-1)).toMatchObject({ type: 'error', attempts: 3, errorKind: 'unavailable' });
  });

  it('never retries errors that are not retryable', async () => {
    let calls = 0;
    await expect(
      runCall(
        settings(),
        call(async () => {
          calls++;
          throw failure('invalid-argument');
        }),
      ),
    ).rejects.toMatchObject({ kind: 'invalid-argument', attempts: 1 });
    expect(calls).toBe(1);
  });

  it('returns the first success with its meta', async () => {
    const result = await runCall(
      settings(),
      call(async ({ attempt, responded }) => {
        responded({ httpStatus: attempt < 3 ? 503 : 201, requestId: `r${attempt}` });
        if (attempt < 3) throw failure('internal');
        return 'ok';
      }),
    );
    expect(result.value).toBe('ok');
    expect(result.meta).toMatchObject({ attempts: 3, httpStatus: 201, requestId: 'r3' });
  });

  it('takes Retry-After as a floor and adds jitter on top, so callers told the same instant spread out', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const events: ProvisionerEvent[] = [];
      await runCall(
        settings(events, resolveRetry('test', { initialDelayMs: 20, maxDelayMs: 20 }, 1)),
        call(async ({ attempt }) => {
          if (attempt === 1) throw failure('rate-limited', { retryAfterMs: 30 });
          return 'ok';
        }),
      );
      delays.push(retries(events)[0]?.delayMs ?? Number.NaN);
    }
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(30);
      expect(delay).toBeLessThanOrEqual(50);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('does not retry when the vendor asks for a longer wait than allowed', async () => {
    let calls = 0;
    await expect(
      runCall(
        settings(),
        call(async () => {
          calls++;
          throw failure('rate-limited', { retryAfterMs: 5_000 });
        }),
      ),
    ).rejects.toMatchObject({ kind: 'rate-limited', retryAfterMs: 5_000 });
    expect(calls).toBe(1);
  });

  it('computed delays grow and stay within the cap', async () => {
    const events: ProvisionerEvent[] = [];
    await runCall(
      settings(events, resolveRetry('test', { initialDelayMs: 2, maxDelayMs: 10 }, 6)),
      call(async () => {
        throw failure('unavailable');
      }),
    ).catch(() => undefined);
    const delays = retries(events).map((e) => e.delayMs);
    expect(delays).toHaveLength(6);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(10);
    expect(Math.max(...delays)).toBeGreaterThan(2);
  });

  it('stops waiting between attempts as soon as the caller aborts', async () => {
    const controller = new AbortController();
    const slow = resolveRetry('test', { initialDelayMs: 60_000, maxDelayMs: 60_000 }, 2);
    let calls = 0;
    const pending = runCall(
      settings([], slow),
      call(
        async () => {
          calls++;
          queueMicrotask(() => controller.abort(new Error('stop')));
          throw failure('unavailable');
        },
        { signal: controller.signal },
      ),
    );
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' });
    expect(calls).toBe(1);
  });

  it('stops waiting for an attempt that ignores its signal the moment the caller aborts', async () => {
    const controller = new AbortController();
    let started!: () => void;
    const began = new Promise<void>((resolve) => {
      started = resolve;
    });
    const pending = runCall(
      settings(),
      call(
        () => {
          started();
          return new Promise<never>(() => undefined); // a vendor SDK that never settles
        },
        { signal: controller.signal },
      ),
    );
    await began;
    controller.abort(new Error('user gave up'));
    const error = await pending.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'cancelled', attempts: 1 });
    expect((error as Error).cause).toMatchObject({ message: 'user gave up' });
  });

  it("ends an attempt at its own timeout, as the adapter's mapping of a timed-out attempt", async () => {
    let signals: AbortSignal[] = [];
    const error = await runCall(
      settings([], resolveRetry('test', { initialDelayMs: 1, maxDelayMs: 1 }, 1)),
      call(
        ({ signal }) => {
          signals = [...signals, signal];
          return new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        },
        { timeoutMs: 5 },
      ),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'deadline-exceeded', attempts: 2, message: 'timed out' });
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
  });

  it("keeps the adapter's error as thrown: its stack points at the code that failed, and the cause is kept", async () => {
    const original = new Error('socket hang up');
    function failsInTheAdapter(): never {
      throw original;
    }
    const error = (await runCall(
      settings([], resolveRetry('test', {}, 0)),
      call(async () => failsInTheAdapter()),
    ).catch((e: unknown) => e)) as EntitlementError;
    expect(error.cause).toBe(original);
    expect(error.attempts).toBe(1);
    expect(error.stack).toMatch(/failure|call-loop\.test/);

    function thrownByTheAdapter(): never {
      throw failure('not-found');
    }
    const mapped = (await runCall(
      settings(),
      call(async () => thrownByTheAdapter()),
    ).catch((e: unknown) => e)) as EntitlementError;
    // The top frame is where the adapter threw, not where the loop added the attempt count.
    const frames = mapped.stack?.split('\n').slice(1) ?? [];
    const thrower = frames.findIndex((frame) => frame.includes('thrownByTheAdapter'));
    expect(thrower).toBeGreaterThanOrEqual(0);
    expect(frames.slice(0, thrower).some((frame) => frame.includes('call-loop.ts'))).toBe(false);
  });

  it('scrubs every secret it knows from the error, its cause and the events, whatever a server echoed', async () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-token-value');
    const events: ProvisionerEvent[] = [];
    const error = (await runCall(
      settings(events, resolveRetry('test', { initialDelayMs: 1, maxDelayMs: 1 }, 1), redactor),
      call(async ({ responded }) => {
        responded({ requestId: 'Bearer s3cr3t-token-value' });
        throw new EntitlementError({
          kind: 'unavailable',
          vendor: 'test',
          message: 'server said: Authorization: Bearer s3cr3t-token-value',
          requestId: 's3cr3t-token-value',
          details: [{ echo: 's3cr3t-token-value' }],
          cause: new Error(`echo ${Buffer.from('s3cr3t-token-value').toString('base64')}`),
        });
      }),
    ).catch((e: unknown) => e)) as EntitlementError;
    const everything = [
      error.message,
      error.stack,
      JSON.stringify(error),
      (await import('node:util')).inspect(error, { depth: 8 }),
      JSON.stringify(events),
    ].join('\n');
    expect(everything).not.toContain('s3cr3t-token-value');
    expect(everything).not.toContain(Buffer.from('s3cr3t-token-value').toString('base64'));
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).toContain('server said: Authorization: Bearer');
  });

  it('refuses retry settings that are not numbers in range, naming the option', () => {
    for (const [retry, maxRetries] of [
      [{ initialDelayMs: '5' }, undefined],
      [{ factor: 0.5 }, undefined],
      [{ maxDelayMs: Number.NaN }, undefined],
      [{ unknown: 1 }, undefined],
      [null, undefined],
      [undefined, -1],
      [undefined, 2.5],
      [{ maxRetries: 1 }, 2],
    ] as const) {
      expect(() => resolveRetry('test', retry, maxRetries)).toThrow(
        expect.objectContaining({ kind: 'invalid-argument' }),
      );
    }
  });
});
