export type * as ChannelSchema from '../../../generated/google/channel.ts';
export type {
  Cancellable,
  ChannelCallOptions,
  ChannelClientLike,
  ChannelClientOptions,
  OperationLike,
} from './channel-client.ts';
export { APPS_ORDER_SCOPE, DEFAULT_ENDPOINT, type Transport } from './constants.ts';
export {
  createGoogleChannelProvisioner,
  GOOGLE_CHANNEL_PEER,
  type GoogleChannelProvisionerWithClose,
} from './create.ts';
export type { GoogleChannelOptions } from './options.ts';
export type * from './types.ts';
export { GOOGLE_CHANNEL } from './types.ts';
