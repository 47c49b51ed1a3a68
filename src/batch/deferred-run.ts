/**
 * A batch run whose engine loads on first use, so that the facade's `createMany` costs nothing
 * at import: the engine, its pacing and its journal load when the run is iterated or awaited.
 */
import type { BatchItemResult, BatchProgress, BatchRun } from './types.ts';

const NOT_STARTED: BatchProgress = {
  done: 0,
  failed: 0,
  interrupted: 0,
  read: 0,
  fromJournal: 0,
  creating: 0,
  waiting: 0,
  inFlight: 0,
  buckets: [],
  elapsedMs: 0,
  finished: false,
};

export function deferredRun(start: () => Promise<BatchRun>): BatchRun {
  let run: BatchRun | undefined;
  const loading = start().then((loaded) => {
    run = loaded;
    return loaded;
  });
  // A failed load is reported where the run is used (iteration or done()), not as unhandled.
  loading.catch(() => undefined);
  return {
    [Symbol.asyncIterator](): AsyncIterator<BatchItemResult> {
      let iterator: AsyncIterator<BatchItemResult> | undefined;
      const inner = async () => {
        iterator ??= (await loading)[Symbol.asyncIterator]();
        return iterator;
      };
      return {
        next: async () => (await inner()).next(),
        return: async () => (await inner()).return?.() ?? { done: true, value: undefined },
      };
    },
    done: async () => (await loading).done(),
    progress: () => run?.progress() ?? { ...NOT_STARTED, buckets: [] },
  };
}
