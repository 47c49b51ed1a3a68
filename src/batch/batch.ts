/**
 * The batch API: `createBatch(provisioners, items, options)` (the facade's `createMany` calls it)
 * and `checkBatch(items, options)`, which validates every item without sending anything (what
 * `entitlements apply --dry-run` shows).
 */
import { EntitlementError } from '../core/errors.ts';
import { tokenVendor } from '../core/token.ts';
import type { CallOptions, EntitlementProvisioner, ResumeOptions } from '../core/types.ts';
import { BatchEngine } from './engine.ts';
import { isBatchEntry } from './entries.ts';
import { duplicateKeyError, keyConflictError, keyItem, type VendorFleetTraits } from './items.ts';
import type { BatchJournal } from './journal.ts';
import { checkOptions } from './options.ts';
import { asEntitlementError } from './records.ts';
import type {
  BatchCheck,
  BatchItemResult,
  BatchOptions,
  BatchProvisioner,
  BatchRun,
  BatchSummary,
} from './types.ts';

/** Routes by the request's vendor (create) and the token's vendor (resume) over several adapters. */
function router(provisioners: readonly EntitlementProvisioner[]): BatchProvisioner {
  const byVendor = new Map<string, EntitlementProvisioner>();
  for (const provisioner of provisioners) {
    if (typeof provisioner?.vendor !== 'string' || typeof provisioner.create !== 'function')
      throw new EntitlementError({
        kind: 'invalid-argument',
        vendor: 'batch',
        message: 'provisioners must be EntitlementProvisioners (with vendor, create and resume)',
      });
    if (byVendor.has(provisioner.vendor))
      throw new EntitlementError({
        kind: 'invalid-argument',
        vendor: 'batch',
        message: `two provisioners for vendor ${JSON.stringify(provisioner.vendor)}: one per vendor`,
      });
    byVendor.set(provisioner.vendor, provisioner);
  }
  const find = (vendor: string) => {
    const provisioner = byVendor.get(vendor);
    if (!provisioner)
      throw new EntitlementError({
        kind: 'invalid-argument',
        vendor,
        message: `no provisioner for vendor ${JSON.stringify(vendor)}`,
      });
    return provisioner;
  };
  return {
    vendors: [...byVendor.keys()],
    create: async (request: { vendor: string }, options?: CallOptions) =>
      find(request.vendor).create(request, options),
    resume: async (token: string, options?: ResumeOptions) => find(tokenVendor(token)).resume(token, options),
  };
}

function toTarget(
  provisioners: BatchProvisioner | EntitlementProvisioner | readonly EntitlementProvisioner[],
) {
  if (Array.isArray(provisioners)) return router(provisioners);
  const single = provisioners as EntitlementProvisioner & { vendors?: readonly string[] };
  if (typeof single !== 'object' || single === null || typeof single.create !== 'function')
    throw new EntitlementError({
      kind: 'invalid-argument',
      vendor: 'batch',
      message: 'createBatch needs a provisioner (the facade) or an array of EntitlementProvisioners',
    });
  if (single.vendors === undefined && typeof single.vendor === 'string') return router([single]);
  return single as BatchProvisioner;
}

/**
 * Creates many entitlements: one result per item as it finishes, paced at the vendors' quotas,
 * recorded in a journal so that a re-run after a crash buys nothing twice. Nothing starts until
 * the run is iterated (or `done()` is called). Options are checked at once (`invalid-argument`).
 *
 * @example
 * ```ts
 * const run = createBatch([confluent, channel], readOrders(), { journal: 'orders.journal' });
 * for await (const result of run) console.log(result.position, result.outcome);
 * const summary = await run.done();
 * ```
 */
export function createBatch(
  provisioners: BatchProvisioner | EntitlementProvisioner | readonly EntitlementProvisioner[],
  items: Iterable<unknown> | AsyncIterable<unknown>,
  options: BatchOptions = {},
): BatchRun {
  const settings = checkOptions(options);
  const engine = new BatchEngine(toTarget(provisioners), items, options, settings);
  let iterated = false;
  return {
    [Symbol.asyncIterator](): AsyncIterator<BatchItemResult> {
      if (iterated)
        throw new EntitlementError({
          kind: 'failed-precondition',
          vendor: 'batch',
          message: 'a batch run is iterated once: its results go to one consumer',
        });
      iterated = true;
      return {
        next: () => engine.next(),
        return: async () => {
          await engine.abandon();
          return { done: true, value: undefined };
        },
      };
    },
    async done(): Promise<BatchSummary> {
      if (!iterated) {
        iterated = true;
        void (async () => {
          for (;;) {
            const next = await engine.next().catch(() => ({ done: true }));
            if (next.done) return;
          }
        })();
      }
      return engine.start();
    },
    progress: () => engine.progress(),
  };
}

export interface CheckOptions {
  traits?: Record<string, VendorFleetTraits>;
  /** The vendors items may name; others are refused. */
  vendors?: readonly string[];
  /** A journal to compare keys with (content changed under a key is reported); read only. */
  journal?: BatchJournal;
  positionLabel?: string;
}

/**
 * Validates every item as the batch would before sending (key, vendor, the vendor's request
 * checks, duplicate keys, content changed under a key in `journal`), sending nothing. Keeps the
 * keys seen (not the items) to find duplicates.
 */
export async function* checkBatch(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  options: CheckOptions = {},
): AsyncGenerator<BatchCheck> {
  const seen = new Map<string, number>();
  const validators = new Map<string, Promise<((request: Record<string, unknown>) => void) | undefined>>();
  const label = options.positionLabel ?? 'item';
  let position = 0;
  for await (const element of items as AsyncIterable<unknown>) {
    position++;
    let value = element;
    let at = position;
    if (isBatchEntry(element)) {
      at = element.position;
      if (element.error) {
        yield { position: at, error: element.error };
        continue;
      }
      value = element.item;
    }
    const named = (value as { vendor?: unknown } | null)?.vendor;
    const guessed = typeof named === 'string' ? named : undefined;
    try {
      const keyed = keyItem(value, options.traits?.[guessed ?? '']);
      const vendor = keyed.request.vendor;
      if (options.vendors && !options.vendors.includes(vendor))
        throw new EntitlementError({
          kind: 'invalid-argument',
          vendor,
          message: `${label} ${at} names vendor ${JSON.stringify(vendor)}; known vendors: ${options.vendors.map((v) => `"${v}"`).join(', ')}`,
          details: [{ field: 'vendor' }],
        });
      let validator = validators.get(vendor);
      if (!validator) {
        validator = options.traits?.[vendor]?.loadValidator?.() ?? Promise.resolve(undefined);
        validators.set(vendor, validator);
      }
      (await validator)?.(keyed.request);
      const first = seen.get(keyed.key);
      if (first !== undefined) {
        const error = duplicateKeyError(keyed.key, vendor, first, at);
        throw label === 'item'
          ? error
          : error.with({ message: error.message.replaceAll('item ', `${label} `) });
      }
      seen.set(keyed.key, at);
      const recorded = await options.journal?.get(keyed.key);
      if (recorded && recorded.digest !== keyed.digest)
        throw keyConflictError(keyed.key, vendor, recorded.digest, keyed.digest);
      yield { position: at, key: keyed.key, vendor };
    } catch (error) {
      yield {
        position: at,
        ...(guessed === undefined ? {} : { vendor: guessed }),
        error: asEntitlementError(error, guessed ?? 'batch'),
      };
    }
  }
}
