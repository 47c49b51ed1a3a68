/**
 * Child of options.test.ts: creates a producer (for a Redis that is not there) and prints the
 * error as JSON: `failed-precondition` when bullmq or ioredis cannot be loaded, `unavailable` when
 * they were loaded and the connection was tried.
 */
import { createProducer } from '../../src/queue/index.ts';

try {
  await createProducer({ connection: 'redis://127.0.0.1:1', connectTimeoutMs: 5_000 });
  process.stdout.write(`${JSON.stringify({ loaded: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error })}\n`);
}
