/**
 * bullmq and ioredis are optional peer dependencies: only programs that use the queue install
 * them. They are loaded when a producer, worker or status reader is created, never when this
 * subpath is imported, and a missing one is an `EntitlementError` that names the install command.
 */
import { EntitlementError } from '../core/errors.ts';

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

function isMissing(error: unknown, name: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // A package that is present but misses one of its own dependencies is another problem.
  const message = String((error as Error).message);
  return message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`/${name}/`);
}

async function loadOne<T>(load: ModuleLoader, name: 'bullmq' | 'ioredis'): Promise<T> {
  try {
    return (await load(name)) as T;
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new EntitlementError({
      kind: 'failed-precondition',
      vendor: 'queue',
      retryable: false,
      reason: 'MISSING_DEPENDENCY',
      message: `entitlement-provisioner/queue needs ${name}, which is not installed. Run \`${QUEUE_INSTALL_COMMAND}\`.`,
      details: [{ missing: name, install: QUEUE_INSTALL_COMMAND }],
      cause: error,
    });
  }
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
