/**
 * One cold start of `npm run bench`, in a fresh process: import an entry and make its first call
 * against the emulators (in another process), then print one JSON line:
 * { importMs, callMs, totalMs (import + first call), sinceStartMs (from the process's start, Node's
 * own bootstrap included), cpuMs (the process's CPU time up to the answer, every thread) }.
 *
 * argv: variant, then a JSON object { confluentUrl, channelPort, parent, offer, descriptor }.
 * - `openapi-fetch`: openapi-fetch, one Confluent create (POST /partner/v2/entitlements);
 * - `confluent`: `entitlement-provisioner/confluent`, the same create through the adapter;
 * - `root`: `entitlement-provisioner`, the same create through the facade;
 * - `gax`: google-gax alone (bench/bare-gax.mjs), a Cloud Channel create + wait;
 * - `google-channel`: `entitlement-provisioner/google-channel`, the same create + wait.
 *
 * Plain JavaScript, copied next to the built package (bench/dist.ts) so that it imports the
 * package by name, the way a user's program does.
 */
const started = performance.now();
const [variant, json] = process.argv.slice(2);
const target = JSON.parse(json);
const TOKEN = 'emulator-token';
// Unique without node:crypto, which the bare processes would otherwise load for this alone.
const entitlement = () => ({
  external_id: `cold-${process.pid}-${Date.now()}`,
  name: 'Cold start',
  plan_id: 'confluent-cloud-payg-prod',
  product_id: 'confluent-cloud-for-apache-kafka',
});
const credentials = { type: 'bearer', token: TOKEN };

/** Each variant: its imports, then a function making the first call (and returning its cleanup). */
const variants = {
  'openapi-fetch': async () => {
    const { default: createClient } = await import('openapi-fetch');
    return async () => {
      const client = createClient({ baseUrl: target.confluentUrl });
      const { data, response } = await client.POST('/partner/v2/entitlements', {
        body: entitlement(),
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      if (response.status !== 201 || !data?.id) throw new Error(`create: ${response.status}`);
    };
  },
  confluent: async () => {
    const { createConfluentProvisioner } = await import('entitlement-provisioner/confluent');
    return async () => {
      const provisioner = createConfluentProvisioner({ baseUrl: target.confluentUrl, credentials });
      const operation = await provisioner.create({ vendor: 'confluent', entitlement: entitlement() });
      if (!operation.status.entitlement?.id) throw new Error('create: no id');
    };
  },
  root: async () => {
    const { createProvisioner } = await import('entitlement-provisioner');
    return async () => {
      const provisioner = createProvisioner({
        env: {},
        tracing: false,
        googleChannel: false,
        confluent: { baseUrl: target.confluentUrl, credentials },
      });
      const operation = await provisioner.create({ vendor: 'confluent', entitlement: entitlement() });
      if (!operation.status.entitlement?.id) throw new Error('create: no id');
    };
  },
  gax: async () => {
    const [{ createBareGaxClient, createAndWait }, { default: descriptor }] = await Promise.all([
      import('./bare-gax.mjs'),
      import(target.descriptor, { with: { type: 'json' } }),
    ]);
    return async () => {
      const client = createBareGaxClient(target.channelPort, descriptor);
      const done = await createAndWait(client, target.parent, target.offer);
      if (!done.name) throw new Error('create: no entitlement name');
      return () => client.close();
    };
  },
  'google-channel': async () => {
    const { createGoogleChannelProvisioner } = await import('entitlement-provisioner/google-channel');
    return async () => {
      const provisioner = createGoogleChannelProvisioner({
        apiEndpoint: '127.0.0.1',
        port: target.channelPort,
        insecure: true,
        polling: { initialDelayMs: 0, maxDelayMs: 0, multiplier: 1 },
      });
      const operation = await provisioner.create({
        vendor: 'google-channel',
        parent: target.parent,
        entitlement: { offer: target.offer },
      });
      const done = await operation.wait();
      if (!done.id) throw new Error('create: no entitlement name');
      return () => provisioner.close();
    };
  },
};

const load = variants[variant];
if (!load) throw new Error(`unknown variant ${variant}`);
const call = await load();
const imported = performance.now();
const cleanup = await call();
const finished = performance.now();
const cpu = process.cpuUsage();
await cleanup?.();
const line = JSON.stringify({
  variant,
  importMs: imported - started,
  callMs: finished - imported,
  totalMs: finished - started,
  sinceStartMs: finished,
  cpuMs: (cpu.user + cpu.system) / 1000,
});
// Exit at once: an idle keep-alive socket must not hold the process (the parent waits for it).
process.stdout.write(`${line}\n`, () => process.exit(0));
