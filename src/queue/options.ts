/**
 * Options every part of the queue shares (where the queues are), their defaults, and the checks
 * that turn a bad value into `invalid-argument` before anything connects.
 */
import type { VendorFleetTraits } from '../batch/items.ts';
import { EntitlementError } from '../core/errors.ts';
import { checkConnection, type QueueConnection } from './connection.ts';
import type { ModuleLoader } from './modules.ts';
import { checkQueueName, DEFAULT_QUEUE_NAME } from './names.ts';

export interface QueueBaseOptions {
  /** Redis: a `redis://` URL, ioredis options, or an ioredis instance (yours to close). */
  connection: QueueConnection;
  /** Item queues are `<queueName>-<vendor>`, poll queues `<queueName>-<vendor>-poll`. Default `entitlements`. */
  queueName?: string;
  /** BullMQ's key prefix in Redis. Default `bull` (BullMQ's own default, so its tools find the queues); on Redis Cluster a hash tag such as `{entitlements}`. */
  prefix?: string;
  /** Fleet traits of vendors added through the facade's extension point (the built-in ones are known). */
  traits?: Record<string, VendorFleetTraits>;
  /** How long creating a producer, worker or status reader waits for Redis to answer before failing with `unavailable`. Default 10000. */
  connectTimeoutMs?: number;
  /** Loads bullmq and ioredis (tests inject a loader; default: `import()`). */
  loadModules?: ModuleLoader;
}

export const DEFAULT_PREFIX = 'bull';

/** How long finished jobs stay in Redis, and with them the dedupe of their keys: 7 days. */
export const DEFAULT_HORIZON_MS = 7 * 24 * 60 * 60_000;
/** Tries per job for retryable failures (unavailable, internal, request timeouts), the first included. */
export const DEFAULT_ATTEMPTS = 5;
/** First pause before a retry, doubling each time (BullMQ's exponential backoff). */
export const DEFAULT_BACKOFF_MS = 1_000;

/** BullMQ's defaults: a job's lock lasts 30 s (renewed every 15 s while it runs)... */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
/** ...and workers look for stalled jobs (lock expired: their worker died) every 30 s. */
export const DEFAULT_STALLED_INTERVAL_MS = 30_000;
/** A job may lose its worker this many times and still be recovered; one more and it fails. */
export const DEFAULT_MAX_STALLED_COUNT = 3;
/** Jobs each worker process runs at once, per queue. */
export const DEFAULT_CONCURRENCY = 10;
/** How long an operation may stay pending after its create before its job fails (`deadline-exceeded`, with the token). */
export const DEFAULT_POLL_TIMEOUT_MS = 30 * 60_000;
/** How long a queue pauses after a rate-limit answer that says nothing about when to come back. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 5_000;

export function invalid(message: string): EntitlementError {
  return new EntitlementError({ kind: 'invalid-argument', vendor: 'queue', message });
}

export function checkPositiveInteger(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw invalid(`${field} must be a whole number >= 1, got ${String(value)}`);
  return value as number;
}

export function checkDuration(value: unknown, field: string, minimum = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum)
    throw invalid(`${field} must be a number of milliseconds >= ${minimum}, got ${String(value)}`);
  return value;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ResolvedBase {
  connection: QueueConnection;
  connectTimeoutMs: number;
  queueName: string;
  prefix: string;
  traits?: Record<string, VendorFleetTraits>;
  loadModules?: ModuleLoader;
}

export function resolveBase(options: QueueBaseOptions, what: string): ResolvedBase {
  if (typeof options !== 'object' || options === null) throw invalid(`${what} options are required`);
  const connection = checkConnection(options.connection);
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  // Braces are allowed: on Redis Cluster, BullMQ wants a hash tag such as `{entitlements}`.
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.{}-]{1,100}$/.test(prefix))
    throw invalid(
      `prefix must be 1-100 letters, digits, '_', '.', '-', '{' or '}' (no ':'), got ${JSON.stringify(prefix)}`,
    );
  if (options.traits !== undefined && (typeof options.traits !== 'object' || options.traits === null))
    throw invalid('traits must be an object of fleet traits by vendor id');
  return {
    connection,
    connectTimeoutMs: checkDuration(
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      'connectTimeoutMs',
    ),
    queueName,
    prefix,
    ...(options.traits ? { traits: options.traits } : {}),
    ...(options.loadModules ? { loadModules: options.loadModules } : {}),
  };
}
