import createClient from 'openapi-fetch';
import type { paths } from '../generated/confluent/schema.ts';
import { startConfluentEmulator } from '../src/testing/index.ts';
import { createConfluentProvisioner } from '../src/vendors/confluent/index.ts';
import { attemptSignal, createEmitter, Redactor, resolveRetry, runCall } from '../src/core/index.ts';
const redactor = new Redactor();
const settings = { vendor: 'x', emit: createEmitter('x', undefined, redactor), redactor, retry: resolveRetry('x', undefined, undefined), timeoutMs: 60000 };
import { spawn } from 'node:child_process';
const child = spawn(process.execPath, ['.tmp/emu-child.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
const baseUrl = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
const emu = { close: async () => { child.stdin.end(); } };
const headers = { Authorization: 'Bearer emulator-token' };
const plain = createClient<paths>({ baseUrl });
const manual = createClient<paths>({ baseUrl, redirect: 'manual' });
const lib = createConfluentProvisioner({ baseUrl, credentials: { type: 'bearer', token: 'emulator-token' } });
const op = await lib.create({ vendor: 'confluent', entitlement: { external_id: 'ab-1', name: 'n', plan_id: 'confluent-cloud-payg-prod', product_id: 'confluent-cloud-for-apache-kafka' } });
const id = op.status.entitlement?.id as string;
const variants: Record<string, () => Promise<unknown>> = {
  'openapi-fetch': () => plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers }),
  'plain+ua': () => plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers: { ...headers, 'User-Agent': 'entitlement-provisioner (confluent partner/v2)' } }),
  'plain+mw': () => plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers, middleware: [{ onResponse: () => undefined }] }),
  'plain+signal': () => plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers, signal: new AbortController().signal }),
  'manual': () => manual.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers }),
  'plain+attemptSignal': async () => { const a = attemptSignal(undefined, 60000); try { return await plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers, signal: a.signal }); } finally { a.dispose(); } },
  'plain+runCall': () => runCall(settings, { operation: 'get', subject: 'x', attempt: ({ signal }) => plain.GET('/partner/v2/entitlements/{id}', { params: { path: { id } }, headers, signal }), failure: () => { throw new Error('x'); } }),
  library: () => lib.get({ vendor: 'confluent', id }),
};
const stats: Record<string, { cpu: number; wall: number[] }> = Object.fromEntries(Object.keys(variants).map((k) => [k, { cpu: 0, wall: [] as number[] }]));
for (let round = 0; round < 40; round++) {
  for (const [name, fn] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 50; i++) { const t = performance.now(); await fn(); stats[name]!.wall.push(performance.now() - t); }
    const c = process.cpuUsage(c0); stats[name]!.cpu += c.user + c.system;
  }
}
for (const [name, s] of Object.entries(stats)) { s.wall.sort((a, b) => a - b); console.log(name, 'p50', (s.wall[s.wall.length >> 1]! * 1000).toFixed(0), 'us; cpu/call', (s.cpu / s.wall.length).toFixed(0), 'us'); }
await emu.close();
