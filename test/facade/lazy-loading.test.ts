import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChannelEmulator, startConfluentEmulator } from '../../src/testing/index.ts';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./lazy-child.ts', import.meta.url));
let confluent: Awaited<ReturnType<typeof startConfluentEmulator>>;
let channel: Awaited<ReturnType<typeof startChannelEmulator>>;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  confluent = await startConfluentEmulator();
  channel = await startChannelEmulator({ completion: { afterPolls: 1 } });
  env = {
    PATH: process.env.PATH,
    CONFLUENT_BASE_URL: confluent.url,
    CONFLUENT_PARTNER_TOKEN: 'emulator-token',
    CLOUD_CHANNEL_EMULATOR_HOST: `127.0.0.1:${channel.grpcAddress.port}`,
  };
});
afterAll(async () => {
  await confluent?.close();
  await channel?.close();
});

async function heavyModules(vendor: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [child, vendor], { env, timeout: 30_000 });
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { heavy: string[] }).heavy;
}

describe('the facade loads vendor adapters lazily', () => {
  it('a Confluent-only program never loads google-gax, protobufjs or grpc-js', async () => {
    expect(await heavyModules('confluent')).toEqual([]);
    expect(confluent.entitlements()).toHaveLength(1);
  });

  it('(control) a program that uses Cloud Channel does load them, so the check above can fail', async () => {
    expect(await heavyModules('google-channel')).toEqual(
      expect.arrayContaining(['google-gax', 'protobufjs']),
    );
  });
});
