/**
 * The Redis connection of producers, workers and status readers: a `redis://` URL, ioredis
 * options, or an ioredis instance. BullMQ makes (and closes) its own clients from a URL or
 * options; an instance passed in is the caller's to close.
 */
import type { ConnectionOptions } from 'bullmq';
import { EntitlementError } from '../core/errors.ts';

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
