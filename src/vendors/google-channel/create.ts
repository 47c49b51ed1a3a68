/**
 * `createGoogleChannelProvisioner`: checks its options at once, and loads the adapter (and with it
 * google-gax, an optional peer dependency) on the first call. Without google-gax installed, that
 * first call fails with `failed-precondition` naming the install.
 */
import { lazyProvisioner } from '../../core/lazy.ts';
import { importPeer } from '../../core/peer.ts';
import { checkOptions, type GoogleChannelOptions } from './options.ts';
import { GOOGLE_CHANNEL, type GoogleChannelProvisioner } from './types.ts';

export const GOOGLE_CHANNEL_PEER = {
  vendor: GOOGLE_CHANNEL,
  feature: 'Google Cloud Channel',
  packages: ['google-gax'],
} as const;

export function createGoogleChannelProvisioner(options: GoogleChannelOptions = {}): GoogleChannelProvisioner {
  const checked = checkOptions(options);
  return lazyProvisioner(GOOGLE_CHANNEL, () =>
    importPeer(GOOGLE_CHANNEL_PEER, async () =>
      (await import('./provisioner.ts')).createChannelAdapter(checked),
    ),
  );
}

/** @deprecated `close()` is part of every provisioner now: use `GoogleChannelProvisioner`. */
export type GoogleChannelProvisionerWithClose = GoogleChannelProvisioner;
