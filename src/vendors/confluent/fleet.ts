/**
 * What the batch and queue machinery needs to know about Confluent without loading the adapter:
 * `entitlement.external_id` is the key Confluent dedupes on (unique per customer). Confluent
 * publishes no per-endpoint quota for partner/v2 (it answers 429 with Retry-After), so there are no
 * `quotas` here: bulk work starts from a configurable rate and adapts. A create answers at once,
 * and the operation completes on the first read that sees the entitlement: polls start soon.
 */
import type { VendorFleetTraits } from '../../batch/items.ts';
import type { EntitlementError } from '../../core/errors.ts';

export const confluentFleet: VendorFleetTraits = {
  keyOf(request) {
    const entitlement = request.entitlement as { external_id?: unknown } | undefined;
    const id = entitlement?.external_id;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  },
  polling: { initialDelayMs: 250, multiplier: 2, maxDelayMs: 5_000 },
  waitTimeoutMs: 60_000,
  async loadValidator() {
    const { checkCreateBody, invalidArgument } = await import('./validation.ts');
    return (request) => {
      const entitlement = request.entitlement;
      if (typeof entitlement !== 'object' || entitlement === null || Array.isArray(entitlement))
        throw invalidArgument('a Confluent create request is { vendor: "confluent", entitlement: { ... } }', [
          { field: 'entitlement', description: 'is required: an object' },
        ]);
      try {
        checkCreateBody(entitlement);
      } catch (error) {
        // Name each field from the request's root, as the batch input spells it.
        const details = (error as { details?: readonly { pointer?: string }[] }).details ?? [];
        throw (error as EntitlementError).with({
          details: details.map((issue) =>
            issue.pointer === undefined
              ? issue
              : { ...issue, field: `entitlement${issue.pointer.split('/').join('.')}`.replace(/\.$/, '') },
          ),
        });
      }
    };
  },
};
