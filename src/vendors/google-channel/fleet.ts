/**
 * What the batch and queue machinery needs to know about Cloud Channel without loading the
 * adapter: the request carries no key of its own (the caller's key becomes `request_id`), and the
 * published per-project quotas, counted in 60 s windows with every request counted (invalid ones
 * too): `operations.get` 600 per minute, every other method used here 120 per minute.
 */
import type { VendorFleetTraits } from '../../batch/items.ts';

const MINUTE = 60_000;

export const googleChannelFleet: VendorFleetTraits = {
  quotas: {
    create: { limit: 120, intervalMs: MINUTE },
    poll: { limit: 600, intervalMs: MINUTE },
    get: { limit: 120, intervalMs: MINUTE },
  },
};
