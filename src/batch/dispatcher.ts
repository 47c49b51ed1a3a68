/**
 * Where every request of a batch waits for its turn. Each vendor+method bucket has a lane: a heap
 * of tasks ordered by when they are due (a create: when admitted or when its retry backoff ends; a
 * poll: when its operation's polling schedule says), earliest first. A task starts only when
 * (1) it is due, (2) its bucket has a token and (3) one of the `concurrency` slots is free, and it
 * gets its token at the moment it starts: no slot is held while waiting for a token, and no token
 * is spent on a request that then waits for a slot (which would bunch requests). Lanes take turns,
 * so one vendor's backlog never starves another's.
 *
 * The poll lane of a vendor is the shared poll scheduler: however many operations are pending,
 * their polls leave at the bucket's rate, the most overdue first, each operation keeping its own
 * schedule and deadline (the engine's business).
 */
import { type HeapEntry, MinHeap } from './heap.ts';
import type { AdaptiveBucket } from './pacing.ts';

interface Task extends HeapEntry {
  run(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  settled: boolean;
  dispose?: () => void;
}

interface Lane {
  bucket: AdaptiveBucket;
  heap: MinHeap<Task>;
}

export class Dispatcher {
  readonly #lanes = new Map<AdaptiveBucket, Lane>();
  readonly #order: Lane[] = [];
  readonly #now: () => number;
  #concurrency: number;
  #running = 0;
  #seq = 0;
  #turn = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed: unknown;
  #pumping = false;

  constructor(concurrency: number, now: () => number = () => performance.now()) {
    this.#concurrency = concurrency;
    this.#now = now;
  }

  get running(): number {
    return this.#running;
  }

  /** Tasks waiting in each bucket's lane. */
  queued(bucket: AdaptiveBucket): number {
    return this.#lanes.get(bucket)?.heap.size ?? 0;
  }

  now(): number {
    return this.#now();
  }

  /**
   * Runs `run` once it is due (`due`, in this dispatcher's clock), `bucket` has a token and a slot
   * is free. Rejects with the signal's reason when it aborts before the task starts.
   */
  schedule<T>(bucket: AdaptiveBucket, due: number, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(signal.reason);
    let lane = this.#lanes.get(bucket);
    if (!lane) {
      lane = { bucket, heap: new MinHeap<Task>() };
      this.#lanes.set(bucket, lane);
      this.#order.push(lane);
    }
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        due,
        seq: this.#seq++,
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
      };
      if (signal) {
        const onAbort = () => {
          if (task.settled) return;
          task.settled = true;
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        task.dispose = () => signal.removeEventListener('abort', onAbort);
      }
      (lane as Lane).heap.push(task);
      this.#pump();
    });
  }

  /** Rejects every waiting task with `reason` and refuses new ones; running tasks finish. */
  close(reason: unknown): void {
    this.#closed = reason;
    this.#clearTimer();
    for (const lane of this.#order) {
      for (const task of lane.heap.drain()) {
        if (task.settled) continue;
        task.settled = true;
        task.dispose?.();
        task.reject(reason);
      }
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #wakeAt(at: number, now: number): void {
    if (!Number.isFinite(at) || at >= this.#timerAt) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(1, Math.ceil(at - now)),
    );
  }

  #pump(): void {
    if (this.#pumping || this.#closed !== undefined) return;
    this.#pumping = true;
    try {
      while (this.#running < this.#concurrency) {
        const now = this.#now();
        let wake = Number.POSITIVE_INFINITY;
        let started = false;
        const count = this.#order.length;
        for (let step = 0; step < count; step++) {
          const lane = this.#order[(this.#turn + step) % count] as Lane;
          let task = lane.heap.peek();
          while (task?.settled) {
            lane.heap.pop();
            task = lane.heap.peek();
          }
          if (!task) continue;
          if (task.due > now) {
            wake = Math.min(wake, task.due);
            continue;
          }
          if (!lane.bucket.tryTake(now)) {
            // Infinity while a bucket's first request is out: its answer pumps again.
            wake = Math.min(wake, now + Math.max(1, lane.bucket.waitTime(now)));
            continue;
          }
          lane.heap.pop();
          this.#turn = (this.#turn + step + 1) % count;
          this.#start(task, lane.bucket);
          started = true;
          break;
        }
        if (!started) {
          this.#wakeAt(wake, now);
          return;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #start(task: Task, bucket: AdaptiveBucket): void {
    task.settled = true;
    task.dispose?.();
    this.#running++;
    let result: Promise<unknown>;
    try {
      result = task.run();
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(task.resolve, task.reject).finally(() => {
      bucket.finished();
      this.#running--;
      this.#pump();
    });
  }
}
