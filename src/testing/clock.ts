/**
 * The emulators' time: when Cloud Channel operations complete by time, how long latency faults
 * hold a call, quota and rate-limit windows, and the times they record. The system clock by
 * default; a manual clock lets a test move time on by hand instead of sleeping.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

/** A source of time for an emulator. */
export interface EmulatorClock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock; rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Real time. */
export const SYSTEM_CLOCK: EmulatorClock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }),
});

/** A clock that moves only when told to. */
export interface ManualClock extends EmulatorClock {
  /** Moves time on by `ms` (>= 0) and wakes, in order, the sleeps that are then due. */
  advance(ms: number): void;
  /** How many sleeps are waiting. */
  readonly sleeping: number;
  /**
   * Resolves once at least `count` (default 1) sleeps are waiting, for instance once the emulator
   * holds that many calls on latency faults. Rejects after `timeoutMs` (default 5000) of real time,
   * so that a wait that never comes fails the test instead of hanging it.
   */
  whenSleeping(count?: number, options?: { timeoutMs?: number }): Promise<void>;
}

/** `clock` as an emulator option: an object with now() and sleep(ms, signal), else a TypeError. */
export function checkClock(clock: unknown): EmulatorClock {
  const candidate = clock as Partial<EmulatorClock> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.now !== 'function' ||
    typeof candidate.sleep !== 'function'
  )
    throw new TypeError('clock must be an object with now() and sleep(ms, signal)');
  return candidate as EmulatorClock;
}

interface Sleeper {
  until: number;
  resolve(): void;
}

/** A manual clock starting at `startMs` (default: 2025-01-01T00:00:00Z). */
export function createManualClock(startMs = Date.UTC(2025, 0, 1)): ManualClock {
  if (!Number.isFinite(startMs)) throw new TypeError('startMs must be a finite number of milliseconds');
  let now = startMs;
  const sleepers = new Set<Sleeper>();
  const waiters = new Set<{ count: number; resolve(): void }>();
  const notify = () => {
    for (const waiter of waiters)
      if (sleepers.size >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
  };
  return {
    now: () => now,
    sleep(ms, signal) {
      if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new TypeError('ms must be >= 0'));
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          until: now + ms,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
        if (ms === 0) {
          sleepers.delete(sleeper);
          sleeper.resolve();
        }
        notify();
      });
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError('advance(ms) needs ms >= 0');
      now += ms;
      const due = [...sleepers].filter((sleeper) => sleeper.until <= now).sort((a, b) => a.until - b.until);
      for (const sleeper of due) {
        sleepers.delete(sleeper);
        sleeper.resolve();
      }
    },
    get sleeping() {
      return sleepers.size;
    },
    whenSleeping(count = 1, { timeoutMs = 5_000 } = {}) {
      if (sleepers.size >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${count} sleep(s); ${sleepers.size} waiting`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.add(waiter);
      });
    },
  };
}
