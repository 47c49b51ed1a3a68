/**
 * Confluent per call: the library's create and get against bare openapi-fetch and raw fetch doing
 * the same requests, in the same run,
 * - on loopback, against the Confluent emulator in another process (bench/emulators-process.ts);
 * - against an in-process fetch stub (no socket at all), which isolates each layer's own cost.
 * Each figure is the median latency per call and this process's CPU per call; ratios are the
 * median of each round's own ratio (bench/harness.ts).
 */
import createClient from 'openapi-fetch';
import type { paths } from '../generated/confluent/schema.ts';
import { CONFLUENT_PLAN_IDS, CONFLUENT_PRODUCT_IDS } from '../src/vendors/confluent/catalog.ts';
import type { ConfluentEntitlementInput } from '../src/vendors/confluent/index.ts';
import type { ConfluentPlanId, ConfluentProductId } from '../src/vendors/confluent/types.ts';
import { type CallFigures, callRatios, compareCalls } from './harness.ts';

/** The Confluent entry of the package under test (the built one, or the sources). */
export type ConfluentEntry = typeof import('../src/vendors/confluent/index.ts');

/** The spec's first plan and product ids (another edition of it changes them). */
const PLAN = CONFLUENT_PLAN_IDS[0] as ConfluentPlanId;
const PRODUCT = CONFLUENT_PRODUCT_IDS[0] as ConfluentProductId;
const TOKEN = 'emulator-token';
let sequence = 0;
const entitlement = (): ConfluentEntitlementInput => ({
  external_id: `bench-${process.pid}-${++sequence}`,
  name: 'Bench',
  plan_id: PLAN,
  product_id: PRODUCT,
});

const OPERATIONS = ['create', 'get'] as const;
type Operation = (typeof OPERATIONS)[number];
/**
 * `library` is the adapter as most programs make it, without a fetch option (the global fetch);
 * `library, fetch option` is given the same fetch as an option (on the stub only, where the two
 * differ: the stub is the global fetch of `library` while it is made).
 */
type Variant = 'fetch' | 'openapi-fetch' | 'library' | 'library, fetch option';

export type ConfluentFigures = Record<Operation, Partial<Record<Variant, CallFigures>>>;

interface Subject {
  fetch: typeof globalThis.fetch;
  baseUrl: string;
  existingId: string;
  /** Also measure the adapter given `fetch` as its fetch option. */
  withFetchOption?: boolean;
}

/** The adapter made while `fetch` is the global fetch, so that it takes it as its default. */
function withGlobalFetch<T>(fetch: typeof globalThis.fetch, make: () => T): T {
  const global = globalThis.fetch;
  globalThis.fetch = fetch;
  try {
    return make();
  } finally {
    globalThis.fetch = global;
  }
}

function cases(
  entry: ConfluentEntry,
  subject: Subject,
): Record<Operation, Partial<Record<Variant, () => Promise<void>>>> {
  const { fetch, baseUrl, existingId } = subject;
  const headers = { Authorization: `Bearer ${TOKEN}` };
  const jsonHeaders = { ...headers, 'Content-Type': 'application/json' };
  const client = createClient<paths>({ baseUrl, fetch });
  const credentials = { type: 'bearer', token: TOKEN } as const;
  const library = withGlobalFetch(fetch, () => entry.createConfluentProvisioner({ baseUrl, credentials }));
  const optioned = subject.withFetchOption
    ? entry.createConfluentProvisioner({ baseUrl, fetch, credentials })
    : undefined;
  return {
    create: {
      fetch: async () => {
        const response = await fetch(`${baseUrl}/partner/v2/entitlements`, {
          method: 'POST',
          headers: jsonHeaders,
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
      ...(optioned && {
        'library, fetch option': async () => {
          await optioned.create({ vendor: 'confluent', entitlement: entitlement() });
        },
      }),
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
      ...(optioned && {
        'library, fetch option': async () => {
          await optioned.get({ vendor: 'confluent', id: existingId });
        },
      }),
    },
  };
}

/** A fetch that answers like the vendor without a socket: only the client layers are measured. */
export function stubFetch(baseUrl: string): typeof globalThis.fetch {
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

async function measure(entry: ConfluentEntry, subject: Subject, iterations: number, rounds: number) {
  const all = cases(entry, subject);
  const figures = {} as ConfluentFigures;
  for (const operation of OPERATIONS)
    figures[operation] = await compareCalls(
      all[operation] as Record<string, () => Promise<void>>,
      iterations,
      rounds,
    );
  return figures;
}

export const STUB_BASE_URL = 'https://api.confluent.cloud';

/** Loopback against the emulator at `emulatorUrl` (seeded here with one entitlement to read). */
export async function benchConfluentLoopback(
  entry: ConfluentEntry,
  emulatorUrl: string,
  iterations: number,
  rounds: number,
): Promise<ConfluentFigures> {
  const seeded = await entry
    .createConfluentProvisioner({ baseUrl: emulatorUrl, credentials: { type: 'bearer', token: TOKEN } })
    .create({ vendor: 'confluent', entitlement: entitlement() });
  const existingId = seeded.status.entitlement?.id ?? '';
  return measure(entry, { fetch: globalThis.fetch, baseUrl: emulatorUrl, existingId }, iterations, rounds);
}

export function benchConfluentStub(
  entry: ConfluentEntry,
  iterations: number,
  rounds: number,
): Promise<ConfluentFigures> {
  return measure(
    entry,
    {
      fetch: stubFetch(STUB_BASE_URL),
      baseUrl: STUB_BASE_URL,
      existingId: 'ent-stub0001',
      withFetchOption: true,
    },
    iterations,
    rounds,
  );
}

export function reportConfluent(title: string, figures: ConfluentFigures): void {
  console.log(`\n${title}`);
  const us = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(1)} us`;
  for (const operation of OPERATIONS) {
    const row = figures[operation];
    const bare = row['openapi-fetch'] as CallFigures;
    const raw = row.fetch as CallFigures;
    const libraries = (['library', 'library, fetch option'] as const).filter((variant) => row[variant]);
    for (const key of ['p50Us', 'cpuUs'] as const) {
      const ratios = libraries
        .map((variant) => {
          const figure = row[variant] as CallFigures;
          const ratio = callRatios(figure, bare)[key === 'p50Us' ? 'p50' : 'cpu'];
          return `${variant}/openapi-fetch ${ratio.toFixed(2)}x (+${(figure[key] - bare[key]).toFixed(1)} us)`;
        })
        .join(', ');
      console.log(
        `  ${(key === 'p50Us' ? operation : '').padEnd(6)} ${key === 'p50Us' ? 'p50' : 'CPU'}: fetch ${us(raw[key])} | openapi-fetch ${us(bare[key])} | ` +
          libraries.map((variant) => `${variant} ${us(row[variant]?.[key])}`).join(' | ') +
          `  ->  ${ratios}`,
      );
    }
  }
}
