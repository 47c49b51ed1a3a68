export {
  createManualClock,
  type EmulatorClock as ChannelClock,
  type ManualClock,
  SYSTEM_CLOCK,
} from '../clock.ts';
export type { ChannelCallRecord } from './calls.ts';
export {
  CHANNEL_PUBLISHED_QUOTA,
  type ChannelCompletion,
  type ChannelCustomer,
  type ChannelOffer,
  type ChannelOperationSnapshot,
  type ChannelQuota,
  DEFAULT_CHANNEL_COMPLETION,
  DEFAULT_CHANNEL_CUSTOMERS,
  DEFAULT_CHANNEL_OFFERS,
} from './defaults.ts';
export type { ChannelEntitlementJson, ChannelMethod, ChannelOperationJson, JsonOf } from './descriptor.ts';
export type { ChannelEmulator, ChannelEmulatorOptions } from './emulator.ts';
export type { CodeName, RestErrorBody } from './errors.ts';
export type {
  ChannelCallFault,
  ChannelDropAfterCreateFault,
  ChannelFailOperationFault,
  ChannelFault,
  ChannelLatencyFault,
  ChannelTransport,
  ChannelUnavailableFault,
  PendingChannelFault,
} from './faults.ts';

export { CHANNEL_EMULATOR_PEER, startChannelEmulator } from './start.ts';
