/** Listening on loopback, for every server of the emulators. */
import type { AddressInfo, Server } from 'node:net';

/** Starts `server` listening on `host:port` (0: a free port); resolves with the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
