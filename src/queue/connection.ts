/**
 * The Redis connection of producers, workers and status readers: a `redis://` URL, ioredis
 * options, or an ioredis instance. BullMQ makes (and closes) its own clients from a URL or
 * options; an instance passed in is the caller's to close.
 */
import type { ConnectionOptions } from 'bullmq';
import { EntitlementError } from '../core/errors.ts';
import type { QueueModules } from './modules.ts';

/** A `redis://` or `rediss://` URL, or what BullMQ takes: ioredis options or an ioredis instance (left open on close). */
export type QueueConnection = string | ConnectionOptions;

function invalid(message: string): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: 'queue', message });
}

function isRedisInstance(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { duplicate?: unknown }).duplicate === 'function' &&
    typeof (value as { defineCommand?: unknown }).defineCommand === 'function'
  );
}

/** Checks a connection option before anything connects (never echoes a password). */
export function checkConnection(connection: unknown, field = 'connection'): QueueConnection {
  if (typeof connection === 'string') {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw invalid(`${field} must be a redis:// or rediss:// URL, ioredis options or an ioredis instance`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
      throw invalid(`${field} must be a redis:// or rediss:// URL (got a ${url.protocol} URL)`);
    return connection;
  }
  if (isRedisInstance(connection)) return connection as ConnectionOptions;
  if (typeof connection === 'object' && connection !== null && !Array.isArray(connection))
    return connection as ConnectionOptions;
  throw invalid(`${field} is required: a redis:// URL, ioredis options or an ioredis instance`);
}

/**
 * The connection as BullMQ takes it: a URL becomes `{ url }` (BullMQ then makes its own ioredis
 * clients, with `maxRetriesPerRequest: null` on the blocking ones); options and instances pass
 * through.
 */
export function bullConnection(connection: QueueConnection): ConnectionOptions {
  return typeof connection === 'string' ? { url: connection } : connection;
}

/** Where a connection points, for messages (never a password). */
function describeTarget(connection: QueueConnection): string {
  if (typeof connection === 'string') {
    const url = new URL(connection);
    return `${url.protocol}//${url.host}`;
  }
  if (isRedisInstance(connection)) return 'the given ioredis instance';
  const options = connection as { host?: string; port?: number; path?: string };
  return options.path ?? `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * Fails fast, with `unavailable`, when Redis cannot be reached within `timeoutMs` (BullMQ itself
 * would wait for it forever: right for a worker that outlives a Redis restart, wrong for a command
 * pointed at the wrong host).
 */
export async function assertReachable(
  modules: QueueModules,
  connection: QueueConnection,
  timeoutMs: number,
): Promise<void> {
  const { Redis } = modules.ioredis;
  const instance = isRedisInstance(connection);
  const client = instance
    ? (connection as InstanceType<typeof Redis>)
    : typeof connection === 'string'
      ? new Redis(connection, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      : new Redis({
          ...(connection as object),
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
  // ioredis reports a refused connection as an 'error' event, then rejects with "Connection is closed".
  let reported: unknown;
  if (!instance)
    client.on('error', (error: unknown) => {
      reported = error;
    });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        if (!instance) await client.connect();
        await client.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (caught) {
    const error = reported ?? caught;
    throw new EntitlementError({
      kind: 'unavailable',
      vendor: 'queue',
      message: `cannot reach Redis at ${describeTarget(connection)}: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    if (!instance) client.disconnect();
  }
}
