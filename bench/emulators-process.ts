/**
 * The emulators of `npm run bench`, in a process of their own (forked, with IPC), so that a
 * client's own promise hops cannot reorder the server's work: what the bench measures is the
 * client, the way it meets the vendor over a socket.
 *
 * Messages in: { type: 'channel', customers } (a fresh Cloud Channel emulator with that many
 * customers, B0, B1, ..., completing operations on their first poll; the previous one is closed),
 * { type: 'reset' } (both emulators forget their entitlements, operations and requests).
 * Messages out: { type: 'ready', confluentUrl }, { type: 'channel', port }, { type: 'reset' }.
 * It ends when the parent disconnects.
 */
import { type ChannelEmulator, startChannelEmulator, startConfluentEmulator } from '../src/testing/index.ts';

export const CHANNEL_ACCOUNT = 'accounts/C0000001';
export const CHANNEL_OFFER = `${CHANNEL_ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;
/** The name of the Channel emulator's customer number `index`. */
export const channelCustomer = (index: number): string => `${CHANNEL_ACCOUNT}/customers/B${index}`;

type Message = { type: 'channel'; customers: number } | { type: 'reset' };

async function main(): Promise<void> {
  const send = (message: unknown) => process.send?.(message);
  const confluent = await startConfluentEmulator();
  let channel: ChannelEmulator | undefined;
  process.on('message', (message: Message) => {
    void (async () => {
      if (message.type === 'reset') {
        confluent.reset();
        channel?.reset();
        send({ type: 'reset' });
        return;
      }
      await channel?.close();
      channel = await startChannelEmulator({
        customers: Array.from({ length: message.customers }, (_, index) => ({
          name: channelCustomer(index),
        })),
        completion: { afterPolls: 1 },
      });
      send({ type: 'channel', port: channel.grpcAddress.port });
    })();
  });
  process.on('disconnect', () => {
    void Promise.all([confluent.close(), channel?.close()]).then(() => process.exit(0));
  });
  send({ type: 'ready', confluentUrl: confluent.url });
}

if (import.meta.main) await main();
