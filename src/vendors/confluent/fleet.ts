/**
 * What the batch and queue machinery needs to know about Confluent without loading the adapter:
 * `entitlement.external_id` is the key Confluent dedupes on (unique per customer). Confluent
 * publishes no per-endpoint quota for partner/v2 (it answers 429 with Retry-After), so there are no
 * `quotas` here: bulk work starts from a configurable rate and adapts.
 */
import type { VendorFleetTraits } from '../../batch/items.ts';

export const confluentFleet: VendorFleetTraits = {
  keyOf(request) {
    const entitlement = request.entitlement as { external_id?: unknown } | undefined;
    const id = entitlement?.external_id;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  },
};
