/**
 * `startChannelEmulator`, light: the emulator itself (and with it the gRPC stack, optional peer
 * dependencies) loads on the first start. Without those packages installed, starting one fails
 * with `failed-precondition` naming the install.
 */
import { importPeer } from '../../core/peer.ts';
import type { ChannelEmulator, ChannelEmulatorOptions } from './emulator.ts';

export const CHANNEL_EMULATOR_PEER = {
  vendor: 'google-channel',
  feature: 'The Cloud Channel emulator',
  packages: ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'proto3-json-serializer'],
} as const;

/** Starts a Cloud Channel emulator (gRPC and REST) on 127.0.0.1; see {@link ChannelEmulatorOptions}. */
export async function startChannelEmulator(options?: ChannelEmulatorOptions): Promise<ChannelEmulator> {
  // The emulator imports its gRPC stack when it starts, so the start is inside the peer check too.
  return importPeer(CHANNEL_EMULATOR_PEER, async () =>
    (await import('./emulator.ts')).startChannelEmulator(options),
  );
}
