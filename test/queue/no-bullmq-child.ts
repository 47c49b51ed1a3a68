/** Child of options.test.ts: uses the queue where bullmq and ioredis cannot be resolved; prints the error as JSON. */
import { createProducer } from '../../src/queue/index.ts';

try {
  await createProducer({ connection: 'redis://127.0.0.1:1' });
  process.stdout.write(`${JSON.stringify({ loaded: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error })}\n`);
}
