/**
 * The queue's pure parts: the pacing arithmetic (no window of a quota's length ever holds more than
 * its limit), the queue layout per vendor, argument checks, and the error when bullmq or ioredis
 * is not installed (an injected loader, and a child process that cannot resolve them).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EntitlementError } from '../../src/core/errors.ts';
import {
  createProducer,
  createWorker,
  getQueueStatus,
  jobIdForKey,
  QUEUE_INSTALL_COMMAND,
} from '../../src/queue/index.ts';
import { layoutFor, limiterFor } from '../../src/queue/pacing.ts';
import { googleChannelFleet } from '../../src/vendors/google-channel/fleet.ts';
import { REDIS_INSTALL_HINT, startRedisServer } from './redis-server.ts';

const run = promisify(execFile);

/**
 * The most job starts an interval of `intervalMs` can hold under BullMQ's limiter: windows of
 * `duration` open with a start, hold `max` starts anywhere inside, and the next opens after.
 * Windows opened inside the interval: at most floor(intervalMs / duration) + 1, each full; plus
 * what is left of the window open when the interval begins: max - 1.
 */
function worstWindow(intervalMs: number, limiter: { max: number; duration: number }): number {
  return limiter.max * (Math.floor(intervalMs / limiter.duration) + 1) + (limiter.max - 1);
}

describe('pacing', () => {
  it('no window of the quota holds more than its limit, with a request to spare for jitter', () => {
    for (const intervalMs of [1_000, 6_000, 60_000]) {
      for (let limit = 1; limit <= 2_000; limit += limit < 50 ? 1 : 37) {
        const limiter = limiterFor({ limit, intervalMs });
        const worst = worstWindow(intervalMs, limiter);
        if (limit >= 3) expect(worst, `${limit} per ${intervalMs} ms`).toBeLessThanOrEqual(limit - 1);
        else expect(worst, `${limit} per ${intervalMs} ms`).toBeLessThanOrEqual(limit);
      }
    }
  });

  it('uses at least 97% of vendor-sized quotas (100 to 600 per minute)', () => {
    for (const limit of [100, 120, 200, 600]) {
      const limiter = limiterFor({ limit, intervalMs: 60_000 });
      expect((limiter.max * 60_000) / limiter.duration / limit).toBeGreaterThanOrEqual(0.97);
    }
  });

  it('fast quotas get windows of several starts, so that a wake-up per start does not cost a few percent', () => {
    expect(limiterFor({ limit: 300, intervalMs: 12_000 })).toEqual({ max: 3, duration: 123 });
    expect(limiterFor({ limit: 6_000, intervalMs: 60_000 })).toEqual({ max: 24, duration: 245 });
  });

  it("Cloud Channel's published quotas: one create every 513 ms, two polls every 205 ms", () => {
    expect(limiterFor(googleChannelFleet.quotas?.create)).toEqual({ max: 1, duration: 513 });
    expect(limiterFor(googleChannelFleet.quotas?.poll)).toEqual({ max: 2, duration: 205 });
  });

  it('lays out a vendor by its quotas: polls in their own queue when they have their own quota', () => {
    expect(layoutFor('google-channel', undefined, googleChannelFleet)).toEqual({
      vendor: 'google-channel',
      shared: false,
      itemQuota: { limit: 120, intervalMs: 60_000 },
      pollQuota: { limit: 600, intervalMs: 60_000 },
    });
    expect(layoutFor('confluent', undefined, undefined)).toEqual({ vendor: 'confluent', shared: true });
    expect(
      layoutFor('confluent', { confluent: { all: { limit: 10, intervalMs: 1_000 } } }, undefined),
    ).toEqual({
      vendor: 'confluent',
      shared: true,
      itemQuota: { limit: 10, intervalMs: 1_000 },
    });
    expect(() =>
      layoutFor(
        'confluent',
        { confluent: { all: { limit: 10, intervalMs: 1_000 }, create: { limit: 1, intervalMs: 1 } } },
        undefined,
      ),
    ).toThrow(/"all" and "create"\/"poll"/);
  });
});

describe('job ids', () => {
  it('are derived from the key: deterministic, never an integer, never a ":"', () => {
    expect(jobIdForKey('12345')).toBe(jobIdForKey('12345'));
    expect(jobIdForKey('12345')).not.toBe(jobIdForKey('12346'));
    for (const key of ['12345', 'a:b:c', 'sha256:00ff', ''])
      expect(jobIdForKey(key)).toMatch(/^k-[0-9a-f]{64}$/);
  });
});

describe('argument checks (nothing connects)', () => {
  const provisioner = {
    vendor: 'acme',
    create: async () => ({}) as never,
    resume: async () => ({}) as never,
  };
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'connection',
      () => createProducer({ connection: 'http://localhost:6379' }),
      /connection must be a redis:\/\//,
    ],
    ['connection', () => createProducer({} as never), /connection is required/],
    ['queueName', () => createProducer({ connection: 'redis://x', queueName: 'a:b' }), /queueName must be/],
    [
      'horizonMs',
      () => createProducer({ connection: 'redis://x', horizonMs: 10 }),
      /horizonMs must be a number of milliseconds >= 1000/,
    ],
    [
      'attempts',
      () => createProducer({ connection: 'redis://x', attempts: 0 }),
      /attempts must be a whole number >= 1/,
    ],
    [
      'provisioner',
      () => createWorker({ connection: 'redis://x' } as never),
      /provisioner must be a provisioner/,
    ],
    [
      'concurrency',
      () => createWorker({ connection: 'redis://x', provisioner, concurrency: 1.5 }),
      /concurrency must be a whole number/,
    ],
    [
      'quota',
      () =>
        createWorker({
          connection: 'redis://x',
          provisioner,
          quotas: { acme: { create: { limit: 0, intervalMs: 1 } } },
        }),
      /quotas\["acme"\]\.create\.limit must be/,
    ],
    [
      'headroom',
      () => createWorker({ connection: 'redis://x', provisioner, quotaHeadroom: 1 }),
      /quotaHeadroom must be a fraction/,
    ],
    [
      'lockDurationMs',
      () => createWorker({ connection: 'redis://x', provisioner, lockDurationMs: 5 }),
      /lockDurationMs must be/,
    ],
    [
      'vendors',
      () => createWorker({ connection: 'redis://x', provisioner: { ...provisioner, vendor: undefined } }),
      /no vendors to serve/,
    ],
    [
      'failures',
      () => getQueueStatus({ connection: 'redis://x', failures: -1 }),
      /failures must be a whole number/,
    ],
  ];
  for (const [field, call, message] of cases) {
    it(`refuses a bad ${field} with invalid-argument`, async () => {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EntitlementError);
      expect(error).toMatchObject({ kind: 'invalid-argument', message: expect.stringMatching(message) });
    });
  }
});

describe('an unreachable Redis', () => {
  it('fails fast with unavailable, naming where without the password', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    for (const create of [
      () =>
        createProducer({ connection: `redis://user:s3cret-pw@127.0.0.1:${port}`, connectTimeoutMs: 5_000 }),
      () =>
        getQueueStatus({
          connection: { host: '127.0.0.1', port, password: 's3cret-pw' },
          connectTimeoutMs: 5_000,
        }),
    ]) {
      const error = await create().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EntitlementError);
      expect(error).toMatchObject({ kind: 'unavailable', vendor: 'queue' });
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect(JSON.stringify((error as EntitlementError).toJSON())).not.toContain('s3cret-pw');
    }
  });
});

describe('the test Redis', () => {
  it('without a redis-server binary, the setup fails saying how to install one', async () => {
    await expect(startRedisServer('/nonexistent/redis-server')).rejects.toThrow(REDIS_INSTALL_HINT);
    expect(REDIS_INSTALL_HINT).toContain('apt-get install redis-server');
  });
});

describe('without bullmq and ioredis', () => {
  const missing = (name: string) => () => {
    const error = new Error(`Cannot find package '${name}' imported from /app/index.js`);
    return Promise.reject(Object.assign(error, { code: 'ERR_MODULE_NOT_FOUND' }));
  };

  it('a typed error names the install command (injected loader)', async () => {
    for (const name of ['bullmq', 'ioredis']) {
      const loadModules = (wanted: 'bullmq' | 'ioredis') =>
        wanted === name ? missing(name)() : import(wanted);
      const error = await createProducer({ connection: 'redis://x', loadModules }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EntitlementError);
      expect(error).toMatchObject({
        kind: 'failed-precondition',
        vendor: 'queue',
        reason: 'MISSING_DEPENDENCY',
      });
      expect((error as Error).message).toContain(`needs ${name}, which is not installed`);
      expect((error as Error).message).toContain(`\`${QUEUE_INSTALL_COMMAND}\``);
    }
  });

  it('another load failure is not mistaken for a missing package', async () => {
    const loadModules = () => Promise.reject(new SyntaxError('Unexpected token'));
    await expect(createProducer({ connection: 'redis://x', loadModules })).rejects.toThrow(SyntaxError);
  });

  it('a process whose module resolution cannot find them gets the typed error', async () => {
    const hook = fileURLToPath(new URL('./no-bullmq-hook.ts', import.meta.url));
    const child = fileURLToPath(new URL('./no-bullmq-child.ts', import.meta.url));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const { stdout } = await run(process.execPath, ['--import', hook, child], { env, timeout: 30_000 });
    const { error } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(error).toMatchObject({
      name: 'EntitlementError',
      kind: 'failed-precondition',
      reason: 'MISSING_DEPENDENCY',
    });
    expect(error.message).toContain(QUEUE_INSTALL_COMMAND);
  });

  it('(control) the same child without the hook loads them, and goes on to connect', async () => {
    const child = fileURLToPath(new URL('./no-bullmq-child.ts', import.meta.url));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const { stdout } = await run(process.execPath, [child], { env, timeout: 30_000 });
    const { error } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(error).toMatchObject({ name: 'EntitlementError', kind: 'unavailable', vendor: 'queue' });
  });
});
