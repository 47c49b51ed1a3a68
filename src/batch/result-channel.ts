import type { BatchItemResult } from './types.ts';

/** A bounded queue of results between the engine and whoever iterates them. */
export class ResultChannel {
  readonly #buffer: BatchItemResult[] = [];
  #consumer:
    | { resolve(result: IteratorResult<BatchItemResult>): void; reject(error: unknown): void }
    | undefined;
  #failure: { error: unknown } | undefined;
  #closed = false;
  #room: (() => void) | undefined;
  readonly highWater: number;

  constructor(highWater: number) {
    this.highWater = highWater;
  }

  get full(): boolean {
    return this.#buffer.length >= this.highWater;
  }

  push(result: BatchItemResult): void {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer) consumer.resolve({ value: result, done: false });
    else this.#buffer.push(result);
  }

  /** Resolves once the consumer has taken results below the high-water mark (or on `wake`). */
  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => {
      this.#room = resolve;
    });
  }

  wake(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }

  close(failure?: { error: unknown }): void {
    this.#closed = true;
    this.#failure = failure;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer) this.next().then(consumer.resolve, consumer.reject);
  }

  next(): Promise<IteratorResult<BatchItemResult>> {
    const value = this.#buffer.shift();
    if (this.#buffer.length < this.highWater / 2) this.wake();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#closed) {
      const failure = this.#failure;
      this.#failure = undefined;
      return failure ? Promise.reject(failure.error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#consumer = { resolve, reject };
    });
  }
}
