/**
 * What the batch and queue machinery needs to know about Cloud Channel without loading the
 * adapter: the request carries no key of its own (the caller's key becomes `request_id`), and the
 * published per-project quotas, counted in 60 s windows with every request counted (invalid ones
 * too): `operations.get` 600 per minute, every other method used here 120 per minute. A quota
 * error may also come as 403 with reason `rateLimitExceeded` (the HTTP face of the API), which
 * bulk work treats like RESOURCE_EXHAUSTED.
 */
import type { VendorFleetTraits } from '../../batch/items.ts';

const MINUTE = 60_000;
/** ErrorInfo reasons of a quota refusal: RESOURCE_EXHAUSTED's, and the 403 of the HTTP face of the API. */
export const QUOTA_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);

export const googleChannelFleet: VendorFleetTraits = {
  quotas: {
    create: { limit: 120, intervalMs: MINUTE },
    poll: { limit: 600, intervalMs: MINUTE },
    get: { limit: 120, intervalMs: MINUTE },
  },
  polling: { initialDelayMs: 1_000, multiplier: 1.5, maxDelayMs: 30_000 },
  waitTimeoutMs: 30 * MINUTE,
  isRateLimited: (error) => error.reason !== undefined && QUOTA_REASONS.has(error.reason),
  async loadValidator() {
    const { checkCreateRequest } = await import('./validation.ts');
    return (request) => {
      checkCreateRequest(request);
    };
  },
};
