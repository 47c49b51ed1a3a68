/**
 * Google Cloud Channel cases of `npm run bench`, against the Channel emulator in another process
 * (bench/emulators-process.ts):
 * - create+wait (CreateEntitlement, then GetOperation until done) through the library vs the same
 *   RPCs through bare google-gax (bench/bare-gax.mjs, a gapic-style client with none of the
 *   library's code) vs raw @grpc/grpc-js; latency and this process's CPU per call;
 * - client construction time, pruned descriptor vs the full channel protos (fresh processes).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from '../generated/google/channel.json' with { type: 'json' };
import { createAndWait, createBareGaxClient } from './bare-gax.mjs';
import type { EmulatorsProcess } from './emulators.ts';
import { CHANNEL_OFFER, channelCustomer } from './emulators-process.ts';
import { type CallFigures, callRatios, compareCalls, median } from './harness.ts';

/** The Cloud Channel entry of the package under test (the built one, or the sources). */
export type GoogleChannelEntry = typeof import('../src/vendors/google-channel/index.ts');

type Unary = (
  request: unknown,
  callback: (error: grpc.ServiceError | null, response: { name: string; done: boolean }) => void,
) => void;

const VARIANTS = ['raw grpc-js', 'bare gax', 'library'] as const;
type Variant = (typeof VARIANTS)[number];

export interface GoogleFigures {
  createWait: Record<Variant, CallFigures>;
  construction: { prunedMs: number; fullMs: number; prunedBytes: number; fullBytes: number; runs: number };
}

export async function benchGoogle(
  entry: GoogleChannelEntry,
  emulators: EmulatorsProcess,
  iterations: number,
  rounds: number,
): Promise<GoogleFigures> {
  // Each create+wait takes a customer of its own (one entitlement per customer and offer).
  const perRound = Math.max(10, Math.ceil(iterations / rounds));
  const port = await emulators.channel(rounds * VARIANTS.length * (perRound + Math.ceil(perRound / 4)) + 10);
  let next = 0;
  const parent = () => channelCustomer(next++);
  const library = entry.createGoogleChannelProvisioner({
    apiEndpoint: '127.0.0.1',
    port,
    insecure: true,
    polling: { initialDelayMs: 0, maxDelayMs: 0, multiplier: 1 },
  });
  const gax = createBareGaxClient(port, descriptor);
  const definition = grpc.loadPackageDefinition(
    fromJSON(descriptor, { keepCase: false, longs: String, enums: String, defaults: false }),
  ) as unknown as {
    google: {
      cloud: { channel: { v1: { CloudChannelService: grpc.ServiceClientConstructor } } };
      longrunning: { Operations: grpc.ServiceClientConstructor };
    };
  };
  const address = `127.0.0.1:${port}`;
  const rawChannel = new definition.google.cloud.channel.v1.CloudChannelService(
    address,
    grpc.credentials.createInsecure(),
  );
  const rawOperations = new definition.google.longrunning.Operations(
    address,
    grpc.credentials.createInsecure(),
  );
  const call = (client: grpc.Client, method: string, request: unknown) =>
    new Promise<{ name: string; done: boolean }>((resolve, reject) =>
      ((client as unknown as Record<string, Unary>)[method] as Unary).call(
        client,
        request,
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );

  const cases: Record<Variant, () => Promise<void>> = {
    'raw grpc-js': async () => {
      let operation = await call(rawChannel, 'createEntitlement', {
        parent: parent(),
        entitlement: { offer: CHANNEL_OFFER },
        requestId: crypto.randomUUID(),
      });
      while (!operation.done) operation = await call(rawOperations, 'getOperation', { name: operation.name });
    },
    'bare gax': async () => {
      await createAndWait(gax, parent(), CHANNEL_OFFER);
    },
    library: async () => {
      await (
        await library.create({
          vendor: 'google-channel',
          parent: parent(),
          entitlement: { offer: CHANNEL_OFFER },
        })
      ).wait();
    },
  };
  try {
    const createWait = (await compareCalls(cases, iterations, rounds)) as Record<Variant, CallFigures>;
    return { createWait, construction: construction(port) };
  } finally {
    rawChannel.close();
    rawOperations.close();
    await gax.close();
    await library.close();
  }
}

function construction(port: number): GoogleFigures['construction'] {
  const script = fileURLToPath(new URL('./google-construct.ts', import.meta.url));
  const runs = Number(process.env.BENCH_CONSTRUCT_RUNS ?? 7);
  const measure = (kind: 'pruned' | 'full') => {
    const samples: { ms: number; bytes: number }[] = [];
    for (let i = 0; i < runs; i++) {
      samples.push(
        JSON.parse(execFileSync(process.execPath, [script, kind, String(port)], { encoding: 'utf8' })),
      );
    }
    return { ms: median(samples.map((s) => s.ms)), bytes: samples[0]?.bytes ?? 0 };
  };
  const pruned = measure('pruned');
  const full = measure('full');
  return { prunedMs: pruned.ms, fullMs: full.ms, prunedBytes: pruned.bytes, fullBytes: full.bytes, runs };
}

export function reportGoogle(figures: GoogleFigures): void {
  const { 'raw grpc-js': raw, 'bare gax': bare, library: lib } = figures.createWait;
  const us = (value: number) => `${value.toFixed(0)} us`;
  const versusGax = callRatios(lib, bare);
  const versusGrpc = callRatios(lib, raw);
  const gaxVersusGrpc = callRatios(bare, raw);
  console.log(
    '\nGoogle Cloud Channel emulator on loopback (gRPC, another process), create + wait (CreateEntitlement, GetOperation until done):',
  );
  console.log(
    `  p50: raw grpc-js ${us(raw.p50Us)} | bare gax ${us(bare.p50Us)} | library ${us(lib.p50Us)}  ->  ` +
      `library/gax ${versusGax.p50.toFixed(2)}x, library/grpc-js ${versusGrpc.p50.toFixed(2)}x, gax/grpc-js ${gaxVersusGrpc.p50.toFixed(2)}x ` +
      `(library - gax: ${(lib.p50Us - bare.p50Us).toFixed(0)} us)`,
  );
  console.log(
    `  CPU: raw grpc-js ${us(raw.cpuUs)} | bare gax ${us(bare.cpuUs)} | library ${us(lib.cpuUs)}  ->  ` +
      `library/gax ${versusGax.cpu.toFixed(2)}x, library/grpc-js ${versusGrpc.cpu.toFixed(2)}x (library - gax: ${(lib.cpuUs - bare.cpuUs).toFixed(0)} us)`,
  );
  const { construction: c } = figures;
  console.log(`\nClient construction (descriptor -> ready gRPC stub), median of ${c.runs} fresh processes:`);
  console.log(
    `  pruned ${c.prunedMs.toFixed(1)} ms (${(c.prunedBytes / 1024).toFixed(1)} KB) | full ${c.fullMs.toFixed(1)} ms (${(c.fullBytes / 1024).toFixed(1)} KB)  ->  full/pruned ${(c.fullMs / c.prunedMs).toFixed(2)}x`,
  );
}
