/**
 * The fleet traits of the built-in vendors (their dedupe key and published quotas), for keying
 * items and for default pacing. A vendor added through the facade's extension point may pass its
 * own in the `traits` option.
 */
import type { VendorFleetTraits } from '../batch/items.ts';
import { confluentFleet } from '../vendors/confluent/fleet.ts';
import { googleChannelFleet } from '../vendors/google-channel/fleet.ts';

export const BUILT_IN_TRAITS: Readonly<Record<string, VendorFleetTraits>> = Object.freeze({
  confluent: confluentFleet,
  'google-channel': googleChannelFleet,
});

export function traitsFor(
  vendor: string,
  extra: Readonly<Record<string, VendorFleetTraits>> | undefined,
): VendorFleetTraits | undefined {
  return extra?.[vendor] ?? BUILT_IN_TRAITS[vendor];
}
