export type * as ChannelSchema from '../../../generated/google/channel.ts';
export type { Cancellable } from './channel-client.ts';
export {
  APPS_ORDER_SCOPE,
  type ChannelCallOptions,
  ChannelClient,
  type ChannelClientLike,
  type ChannelClientOptions,
  DEFAULT_ENDPOINT,
  type OperationLike,
  type Transport,
} from './channel-client.ts';
export {
  createGoogleChannelProvisioner,
  type GoogleChannelOptions,
  type GoogleChannelProvisionerWithClose,
} from './provisioner.ts';
export type * from './types.ts';
export { GOOGLE_CHANNEL } from './types.ts';
