/**
 * `npm run bench`: the cost of the library's Confluent create and get, as ratios against baselines
 * measured in the same process and the same run (this machine is shared and noisy: absolute times
 * mean little, ratios between neighbours do):
 *
 * - against the Confluent emulator on loopback: library vs bare openapi-fetch vs raw fetch;
 * - against an in-process fetch stub (no socket at all), which isolates each layer's own overhead.
 *
 * Each case is warmed up first; the figures are medians (p50) over many calls.
 */

import createClient from 'openapi-fetch';
import type { paths } from '../generated/confluent/schema.ts';
import { startConfluentEmulator } from '../src/testing/index.ts';
import {
  type ConfluentEntitlementInput,
  createConfluentProvisioner,
} from '../src/vendors/confluent/index.ts';
import { benchGoogle } from './google.ts';
import { compare, ROUNDS } from './harness.ts';

const TOKEN = 'emulator-token';
const iterations = Number(process.env.BENCH_ITERATIONS ?? 400);
let sequence = 0;
const entitlement = (): ConfluentEntitlementInput => ({
  external_id: `bench-${++sequence}`,
  name: 'Bench',
  plan_id: 'confluent-cloud-payg-prod',
  product_id: 'confluent-cloud-for-apache-kafka',
});

interface Subject {
  label: string;
  fetch: typeof globalThis.fetch;
  baseUrl: string;
  existingId: string;
}

function cases(subject: Subject) {
  const { fetch, baseUrl, existingId } = subject;
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  const client = createClient<paths>({ baseUrl, fetch });
  const library = createConfluentProvisioner({
    baseUrl,
    fetch,
    credentials: { type: 'bearer', token: TOKEN },
  });
  return {
    create: {
      fetch: async () => {
        const response = await fetch(`${baseUrl}/partner/v2/entitlements`, {
          method: 'POST',
          headers,
          body: JSON.stringify(entitlement()),
        });
        if (response.status !== 201) throw new Error(`create: ${response.status}`);
        await response.json();
      },
      'openapi-fetch': async () => {
        const { data } = await client.POST('/partner/v2/entitlements', { body: entitlement(), headers });
        if (!data) throw new Error('create failed');
      },
      library: async () => {
        await library.create({ vendor: 'confluent', entitlement: entitlement() });
      },
    },
    get: {
      fetch: async () => {
        const response = await fetch(`${baseUrl}/partner/v2/entitlements/${existingId}`, { headers });
        if (response.status !== 200) throw new Error(`get: ${response.status}`);
        await response.json();
      },
      'openapi-fetch': async () => {
        const { data } = await client.GET('/partner/v2/entitlements/{id}', {
          params: { path: { id: existingId } },
          headers,
        });
        if (!data) throw new Error('get failed');
      },
      library: async () => {
        await library.get({ vendor: 'confluent', id: existingId });
      },
    },
  };
}

/** A fetch that answers like the vendor without a socket: only the client layers are measured. */
function stubFetch(baseUrl: string): typeof globalThis.fetch {
  const resource = {
    api_version: 'partner/v2',
    kind: 'Entitlement',
    id: 'ent-stub0001',
    metadata: { self: `${baseUrl}/partner/v2/entitlements/ent-stub0001`, created_at: '2026-11-25T10:00:00Z' },
    ...entitlement(),
  };
  const text = JSON.stringify(resource);
  return async (input, init) => {
    const method = input instanceof Request ? input.method : (init?.method ?? 'GET');
    if (input instanceof Request && input.body) await input.text();
    return new Response(text, {
      status: method === 'POST' ? 201 : 200,
      headers: {
        'content-type': 'application/json',
        location: resource.metadata.self,
        'x-request-id': 'stub',
      },
    });
  };
}

async function measure(subject: Subject) {
  const rows: { operation: string; variant: string; p50Us: number }[] = [];
  for (const [operation, variants] of Object.entries(cases(subject))) {
    for (const [variant, p50Us] of Object.entries(await compare(variants, iterations)))
      rows.push({ operation, variant, p50Us });
  }
  return rows;
}

function report(title: string, rows: Awaited<ReturnType<typeof measure>>) {
  console.log(`\n${title}`);
  for (const operation of ['create', 'get']) {
    const p50 = (variant: string) =>
      rows.find((r) => r.operation === operation && r.variant === variant)?.p50Us ?? Number.NaN;
    const [raw, bare, lib] = [p50('fetch'), p50('openapi-fetch'), p50('library')];
    console.log(
      `  ${operation.padEnd(6)} p50: fetch ${raw.toFixed(1)} us | openapi-fetch ${bare.toFixed(1)} us | library ${lib.toFixed(1)} us` +
        `  ->  library/openapi-fetch ${(lib / bare).toFixed(2)}x, library/fetch ${(lib / raw).toFixed(2)}x, ` +
        `openapi-fetch/fetch ${(bare / raw).toFixed(2)}x  (library - fetch: ${(lib - raw).toFixed(1)} us)`,
    );
  }
}

const emulator = await startConfluentEmulator();
try {
  const seeded = await createConfluentProvisioner({
    baseUrl: emulator.url,
    credentials: { type: 'bearer', token: TOKEN },
  }).create({
    vendor: 'confluent',
    entitlement: entitlement(),
  });
  const existingId = seeded.status.entitlement?.id ?? '';
  console.log(
    `entitlement-provisioner bench: ${iterations} calls per case in ${ROUNDS} rounds (order rotated, warm-up each round), median of the rounds' medians, Node ${process.version}`,
  );
  const loopback: Subject = { label: 'emulator', fetch: globalThis.fetch, baseUrl: emulator.url, existingId };
  report('Confluent emulator on loopback (HTTP over 127.0.0.1):', await measure(loopback));
  const stubBase = 'https://api.confluent.cloud';
  report(
    'In-process fetch stub (no socket: client-side overhead only):',
    await measure({
      label: 'stub',
      fetch: stubFetch(stubBase),
      baseUrl: stubBase,
      existingId: 'ent-stub0001',
    }),
  );
} finally {
  await emulator.close();
}
await benchGoogle(Math.max(50, Math.floor(iterations / 4)));
await (await import('./batch.ts')).benchBatch();
