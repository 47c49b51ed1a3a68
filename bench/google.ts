/**
 * Google Cloud Channel cases of `npm run bench`, against the Channel emulator on loopback:
 * - create+wait through the library vs the same two RPCs (CreateEntitlement, then GetOperation until
 *   done) through bare google-gax vs raw @grpc/grpc-js;
 * - client construction time, pruned descriptor vs the full channel protos (fresh processes).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import descriptor from '../generated/google/channel.json' with { type: 'json' };
import { startChannelEmulator } from '../src/testing/index.ts';
import { ChannelClient } from '../src/vendors/google-channel/channel-client.ts';
import { createGoogleChannelProvisioner } from '../src/vendors/google-channel/index.ts';
import { compare, median } from './harness.ts';

const ACCOUNT = 'accounts/C0000001';
const OFFER = `${ACCOUNT}/offers/OFFER-WORKSPACE-STARTER`;

type Unary = (
  request: unknown,
  callback: (error: grpc.ServiceError | null, response: { name: string; done: boolean }) => void,
) => void;

export async function benchGoogle(iterations: number): Promise<void> {
  const total = iterations * 2 + 50;
  const customers = Array.from({ length: total * 3 + 10 }, (_, index) => ({
    name: `${ACCOUNT}/customers/B${index}`,
  }));
  const emulator = await startChannelEmulator({ customers, completion: { afterPolls: 1 } });
  let next = 0;
  const parent = () => `${ACCOUNT}/customers/B${next++}`;
  const port = emulator.grpcAddress.port;
  const endpoint = { apiEndpoint: '127.0.0.1', port, insecure: true } as const;

  const library = createGoogleChannelProvisioner({
    ...endpoint,
    polling: { initialDelayMs: 0, maxDelayMs: 0, multiplier: 1 },
  });
  const gaxClient = new ChannelClient(endpoint);
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

  const cases: Record<string, () => Promise<void>> = {
    'raw grpc-js': async () => {
      const p = parent();
      let operation = await call(rawChannel, 'createEntitlement', {
        parent: p,
        entitlement: { offer: OFFER },
        requestId: crypto.randomUUID(),
      });
      while (!operation.done) operation = await call(rawOperations, 'getOperation', { name: operation.name });
    },
    'bare gax': async () => {
      const [handle] = await gaxClient.createEntitlement({
        parent: parent(),
        entitlement: { offer: OFFER },
        requestId: crypto.randomUUID(),
      });
      handle.on?.('error', () => undefined);
      let operation = handle.latestResponse as { name: string; done: boolean };
      while (!operation.done)
        [operation] = (await gaxClient.getOperation({ name: operation.name })) as [
          { name: string; done: boolean },
        ];
    },
    library: async () => {
      await (
        await library.create({ vendor: 'google-channel', parent: parent(), entitlement: { offer: OFFER } })
      ).wait();
    },
  };
  const medians = await compare(cases, iterations);
  const p50 = (name: string) => medians[name] ?? Number.NaN;
  const [raw, bare, lib] = [p50('raw grpc-js'), p50('bare gax'), p50('library')];
  console.log(
    '\nGoogle Cloud Channel emulator on loopback (gRPC), create + wait (CreateEntitlement, GetOperation until done):',
  );
  console.log(
    `  p50: raw grpc-js ${raw.toFixed(0)} us | bare gax ${bare.toFixed(0)} us | library ${lib.toFixed(0)} us  ->  ` +
      `library/gax ${(lib / bare).toFixed(2)}x, library/grpc-js ${(lib / raw).toFixed(2)}x, gax/grpc-js ${(bare / raw).toFixed(2)}x ` +
      `(gax - grpc-js: ${(bare - raw).toFixed(0)} us, library - gax: ${(lib - bare).toFixed(0)} us)`,
  );

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
  console.log(`\nClient construction (descriptor -> ready gRPC stub), median of ${runs} fresh processes:`);
  console.log(
    `  pruned ${pruned.ms.toFixed(1)} ms (${(pruned.bytes / 1024).toFixed(1)} KB) | full ${full.ms.toFixed(1)} ms (${(full.bytes / 1024).toFixed(1)} KB)  ->  full/pruned ${(full.ms / pruned.ms).toFixed(2)}x`,
  );

  rawChannel.close();
  rawOperations.close();
  await gaxClient.close();
  await library.close();
  await emulator.close();
}
