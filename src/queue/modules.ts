/**
 * bullmq and ioredis are optional peer dependencies: only programs that use the queue install
 * them. They are loaded when a producer, worker or status reader is created, never when this
 * subpath is imported, and a missing one is an `EntitlementError` that names the install command.
 */
import { importPeer } from '../core/peer.ts';

export type BullMQ = typeof import('bullmq');
export type IORedis = typeof import('ioredis');

export interface QueueModules {
  bullmq: BullMQ;
  ioredis: IORedis;
}

/** Loads one of the optional packages (an `import()` by default; tests inject their own). */
export type ModuleLoader = (name: 'bullmq' | 'ioredis') => Promise<unknown>;

/** The exact command that installs what the queue needs, at the versions this release is tested with. */
export const QUEUE_INSTALL_COMMAND = 'npm install bullmq@^6.7.0 ioredis@^6.0.0';

const defaultLoader: ModuleLoader = (name) => import(name);

const QUEUE_PEER = {
  vendor: 'queue',
  feature: 'entitlement-provisioner/queue',
  packages: ['bullmq', 'ioredis'],
  install: QUEUE_INSTALL_COMMAND,
} as const;

function loadOne<T>(load: ModuleLoader, name: 'bullmq' | 'ioredis'): Promise<T> {
  return importPeer({ ...QUEUE_PEER, packages: [name] }, async () => (await load(name)) as T);
}

let cached: Promise<QueueModules> | undefined;

/** bullmq and ioredis, loaded once per process (or through `load`, uncached, when given). */
export function loadQueueModules(load?: ModuleLoader): Promise<QueueModules> {
  if (load) return loadWith(load);
  cached ??= loadWith(defaultLoader);
  // A failed load is tried again next time (the packages may have been installed meanwhile).
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

async function loadWith(load: ModuleLoader): Promise<QueueModules> {
  const bullmq = await loadOne<BullMQ>(load, 'bullmq');
  const ioredis = await loadOne<IORedis>(load, 'ioredis');
  return { bullmq, ioredis };
}
