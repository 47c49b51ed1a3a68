import { createServer } from 'node:http';
import { compare } from '../bench/harness.ts';
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"a":1}'); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`;
const go = (headers: Record<string, string>) => async () => { const r = await fetch(url, { headers }); await r.json(); };
console.log(await compare({
  none: go({}),
  ua: go({ 'User-Agent': 'entitlement-provisioner (confluent partner/v2)' }),
  uaSimple: go({ 'User-Agent': 'entitlement-provisioner/0.1.0' }),
  other: go({ 'X-Client': 'entitlement-provisioner (confluent partner/v2)' }),
}, 600));
server.close();
