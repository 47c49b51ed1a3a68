/**
 * The clock of `entitlements emulator`: real time plus an offset that only grows. Both emulators
 * take it as their `clock` option, so that a test in another language can move time on through the
 * control endpoint (`POST /clock/advance`) instead of waiting: quota and rate-limit windows end,
 * operations due by `completion.afterMs` complete on their next poll, and latency faults due by
 * then end at once. Time never goes back (a reset keeps the offset).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

/** The emulators' clock option (the same shape for both). */
export interface EmulatorClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface AdvanceableClock extends EmulatorClock {
  /** Moves time on by `ms` (a finite number >= 0): sleeps then due end at once, the others sooner. */
  advance(ms: number): void;
  /** How far ahead of real time this clock is, in ms. */
  readonly offsetMs: number;
}

interface Sleeper {
  wake(): void;
}

/** Real time (`Date.now()` by default) plus an offset moved by `advance`. */
export function createAdvanceableClock(realNow: () => number = Date.now): AdvanceableClock {
  let offset = 0;
  const sleepers = new Set<Sleeper>();
  const now = () => realNow() + offset;
  return {
    now,
    get offsetMs() {
      return offset;
    },
    async sleep(ms, signal) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError('ms must be a finite number >= 0');
      signal.throwIfAborted();
      const until = now() + ms;
      // A real timer for the time left; an advance cuts it short, and the time left is taken again.
      while (now() < until) {
        const early = new AbortController();
        const sleeper: Sleeper = { wake: () => early.abort() };
        sleepers.add(sleeper);
        try {
          await sleepFor(until - now(), undefined, { signal: AbortSignal.any([signal, early.signal]) });
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (!early.signal.aborted) throw error;
        } finally {
          sleepers.delete(sleeper);
        }
      }
    },
    advance(ms) {
      if (!(Number.isFinite(ms) && ms >= 0))
        throw new TypeError('advance: ms must be a finite number of milliseconds >= 0');
      offset += ms;
      for (const sleeper of [...sleepers]) sleeper.wake();
    },
  };
}
