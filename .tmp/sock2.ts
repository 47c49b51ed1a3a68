import createClient from 'openapi-fetch';
import type { paths } from '../generated/confluent/schema.ts';
import { startConfluentEmulator } from '../src/testing/index.ts';
import { compare } from '../bench/harness.ts';
const emu = await startConfluentEmulator();
const baseUrl = emu.url;
const headers = { Authorization: 'Bearer emulator-token', 'Content-Type': 'application/json' };
const plain = createClient<paths>({ baseUrl, fetch: globalThis.fetch });
const r = await fetch(`${baseUrl}/partner/v2/entitlements`, { method: 'POST', headers, body: JSON.stringify({ external_id: 'x1', name: 'n', plan_id: 'confluent-cloud-payg-prod', product_id: 'confluent-cloud-for-apache-kafka' }) });
const id = ((await r.json()) as { id: string }).id;
const get = (extra: Record<string, string>) => async () => {
  const { data } = await plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers: { ...headers, ...extra } });
  if (!data) throw new Error('x');
};
console.log(await compare({
  plain: get({}),
  ua: get({ 'User-Agent': 'entitlement-provisioner (confluent partner/v2)' }),
  other: get({ 'X-Client': 'entitlement-provisioner (confluent partner/v2)' }),
  short: get({ 'X-C': 'e' }),
}, 800));
await emu.close();
