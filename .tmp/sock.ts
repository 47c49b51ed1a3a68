import createClient from 'openapi-fetch';
import type { paths } from '../generated/confluent/schema.ts';
import { startConfluentEmulator } from '../src/testing/index.ts';
import { compare } from '../bench/harness.ts';
const emu = await startConfluentEmulator();
const baseUrl = emu.url;
const headers = { Authorization: 'Bearer emulator-token', 'Content-Type': 'application/json' };
const plain = createClient<paths>({ baseUrl, fetch: globalThis.fetch });
const manual = createClient<paths>({ baseUrl, fetch: globalThis.fetch, redirect: 'manual' });
const r = await fetch(`${baseUrl}/partner/v2/entitlements`, { method: 'POST', headers, body: JSON.stringify({ external_id: 'x1', name: 'n', plan_id: 'confluent-cloud-payg-prod', product_id: 'confluent-cloud-for-apache-kafka' }) });
const id = ((await r.json()) as { id: string }).id;
const get = (client: typeof plain, extra: Record<string, unknown> = {}) => async () => {
  const { data } = await client.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers, ...extra });
  if (!data) throw new Error('x');
};
const results = await compare({
  plain: get(plain),
  manual: get(manual),
  signal: async () => { const c = new AbortController(); await get(plain, { signal: c.signal })(); },
  ua: get(plain, { headers: { ...headers, 'User-Agent': 'entitlement-provisioner (confluent partner/v2)' } }),
  timer: async () => { const t = setTimeout(() => {}, 60000); await get(plain)(); clearTimeout(t); },
}, 600);
console.log(results);
await emu.close();
