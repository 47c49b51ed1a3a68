/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of an emulator, for the crash tests: it tells the test
 * about every request it forwards and every answer it gets back, and can hold an answer (never
 * deliver it), which is how a test kills a client after the vendor committed a create but before
 * the client saw the answer, with no hook in the product code.
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Exchange = 'create' | 'poll' | 'other';

export interface ProxyHooks {
  /** A request is forwarded upstream. */
  onRequest?(exchange: Exchange): void;
  /** The upstream answered; return true to hold the answer (the client never gets it). */
  onResponse?(exchange: Exchange, status: number): boolean | undefined;
}

export interface Proxy {
  readonly url: string;
  readonly port: number;
  hooks: ProxyHooks;
  close(): Promise<void>;
}

function classify(req: IncomingMessage): Exchange {
  const path = req.url ?? '';
  if (req.method === 'POST' && (path.includes('/entitlements') || path.endsWith(':create'))) return 'create';
  if (
    req.method === 'GET' &&
    (path.startsWith('/v1/operations/') || path.startsWith('/partner/v2/entitlements/'))
  )
    return 'poll';
  return 'other';
}

/** `upstream` may be a function, for an upstream started after the proxy (it is read per request). */
export async function startProxy(upstream: string | (() => string)): Promise<Proxy> {
  const targetOf = () => new URL(typeof upstream === 'string' ? upstream : upstream());
  const agent = new Agent({ keepAlive: true });
  const held: ServerResponse[] = [];
  const proxy: Proxy = {
    url: '',
    port: 0,
    hooks: {},
    close: async () => {
      for (const res of held) res.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const server = createServer((req, res) => {
    const exchange = classify(req);
    const target = targetOf();
    proxy.hooks.onRequest?.(exchange);
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        if (proxy.hooks.onResponse?.(exchange, answer.statusCode ?? 0) === true) {
          answer.resume();
          held.push(res);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.on('error', () => forward.destroy());
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}`, port });
}
