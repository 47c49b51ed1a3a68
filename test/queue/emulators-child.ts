/**
 * Child process of cluster.test.ts (forked, with IPC): both emulators with quotas, started through
 * the library, and in front of the Confluent one a small HTTP proxy that can hold the answer to a
 * create the emulator has already committed, so that the test can kill the worker that sent it
 * between the create and its `updateData` (no test hook in the product code).
 *
 * argv[2]: JSON { confluentRateLimit?, channelQuota?, channelCustomers }.
 * Messages in: { type: 'hold' } (hold the next create's answer), { type: 'release' },
 * { type: 'stats' }. Messages out: { type: 'ready', confluentUrl, channelHost },
 * { type: 'held', externalId }, { type: 'stats', ... }.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChannelQuota,
  type ConfluentRateLimit,
  startChannelEmulator,
  startConfluentEmulator,
} from '../../src/testing/index.ts';
import { channelCustomers } from './fixtures.ts';

interface Config {
  confluentRateLimit?: ConfluentRateLimit;
  channelQuota?: ChannelQuota;
  channelCustomers: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const send = (message: unknown) => process.send?.(message);

let armed = false;
let release: (() => void) | undefined;
let upstreamPort = 0;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const answer = await new Promise<{
    status: number;
    headers: Record<string, string | string[]>;
    body: Buffer;
  }>((resolve, reject) => {
    const forward = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (upstream) => {
        const chunks: Buffer[] = [];
        upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstream.on('end', () =>
          resolve({
            status: upstream.statusCode ?? 502,
            headers: upstream.headers as Record<string, string | string[]>,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    forward.on('error', reject);
    forward.end(body);
  });
  if (armed && req.method === 'POST' && answer.status === 201) {
    // Committed at the emulator: hold the answer until the test has killed the sender.
    armed = false;
    const externalId = (JSON.parse(body.toString() || '{}') as { external_id?: string }).external_id;
    await new Promise<void>((resolve) => {
      release = resolve;
      res.socket?.once('close', () => send({ type: 'held-sender-gone' }));
      send({ type: 'held', externalId });
    });
    release = undefined;
  }
  if (res.destroyed || res.socket?.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

const server = createServer((req, res) => {
  proxy(req, res).catch(() => res.destroy());
});
server.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const proxyOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const confluent = await startConfluentEmulator({
  locationOrigin: proxyOrigin,
  ...(config.confluentRateLimit ? { rateLimit: config.confluentRateLimit } : {}),
});
upstreamPort = confluent.port;
const channel = await startChannelEmulator({
  customers: channelCustomers(config.channelCustomers),
  completion: { afterPolls: 1 },
  ...(config.channelQuota ? { quota: config.channelQuota } : {}),
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'hold') armed = true;
  if (message.type === 'release') release?.();
  if (message.type === 'stats') {
    send({
      type: 'stats',
      confluent: {
        entitlements: confluent.entitlements().map((entitlement) => ({
          id: entitlement.id,
          externalId: entitlement.external_id,
        })),
        requests: confluent.requests.map((request) => ({
          method: request.method,
          path: request.path,
          status: request.status,
          time: request.time,
          externalId: (request.body as { external_id?: string } | undefined)?.external_id,
        })),
      },
      channel: {
        operations: channel.operations().map((operation) => ({
          requestId: operation.requestId,
          parent: operation.parent,
          done: operation.done,
          entitlementName: operation.entitlementName,
        })),
        entitlements: channel.entitlements().length,
        calls: channel.calls.map((call) => ({ method: call.method, code: call.code, time: call.time })),
      },
    });
  }
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  void Promise.allSettled([confluent.close(), channel.close()]).then(() => process.exit(0));
});

send({ type: 'ready', confluentUrl: proxyOrigin, channelHost: `127.0.0.1:${channel.grpcAddress.port}` });
