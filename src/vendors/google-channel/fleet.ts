/**
 * What the batch and queue machinery needs to know about Cloud Channel without loading the
 * adapter: the request carries no key of its own (the caller's key becomes `request_id`).
 */
import type { VendorFleetTraits } from '../../batch/items.ts';

export const googleChannelFleet: VendorFleetTraits = {};
