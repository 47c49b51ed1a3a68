/**
 * The real `entitlements` executable (bin/entitlements.js, on this repository's Node) in child
 * processes: only what needs a process of its own (a pipe closed by its reader, a real SIGINT, the
 * launcher, what a fresh process loads). Four children, one after the other; everything else runs
 * in-process (commands.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { type CapturedChild, type Ended, spawnCaptured, vendorFreeEnv } from '../support/child-process.ts';

const BIN = fileURLToPath(new URL('../../bin/entitlements.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = fileURLToPath(new URL('./loaded-hook.ts', import.meta.url));

/** What `--help` must not load: the vendor SDKs, the gRPC stack, the queue's and the journal's engines. */
const HEAVY = ['google-gax', 'protobufjs', '@grpc/grpc-js', 'bullmq', 'ioredis'];

/** Starts the CLI; `ended` resolves when the child has exited and its pipes are closed. */
function start(
  args: string[],
  options: { node?: string[]; env?: Record<string, string> } = {},
): CapturedChild {
  const started = spawnCaptured(process.execPath, [...(options.node ?? []), BIN, ...args], {
    cwd: ROOT,
    env: vendorFreeEnv(options.env),
    stdin: 'pipe',
  });
  const { child } = started;
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return started;
}

/** Resolves with the first chunk on stdout; rejects if the child ends without one. */
function firstChunk(child: CapturedChild['child'], ended: Promise<Ended>): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk: string) => resolve(chunk));
    ended.then(
      (result) => reject(new Error(`ended (${result.code}) before writing: ${result.stderr}`)),
      reject,
    );
  });
}

describe('the entitlements executable', () => {
  it('`demo | head -1`: the demo completes, closes its emulators and ends by itself with 141, no stack', async () => {
    const { child, ended } = start(['demo', '--polls', '1']);
    const chunk = await firstChunk(child, ended);
    expect(chunk).toMatch(/^Emulators \(in this process, loopback only\)/);
    // The reader goes away, as `head -1` does after its line.
    child.stdout.destroy();
    const result = await ended;
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(EXIT.closedPipe);
    expect(result.stderr).toMatch(/✔ google-channel: \S+ active/);
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('`--help | head -1`: quiet, 0 or 141 (whether the reader left before the last write)', async () => {
    const { child, ended } = start(['--help']);
    expect(await firstChunk(child, ended)).toMatch(/^Usage: entitlements/);
    child.stdout.destroy();
    const result = await ended;
    expect([EXIT.ok, EXIT.closedPipe]).toContain(result.code);
    expect(result.stderr).toBe('');
  });

  it('`emulator` serves its control endpoint, and a real SIGINT stops it with exit 0', async () => {
    const { child, ended, stdout } = start(['emulator']);
    const printed = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        if (stdout().includes('Press Ctrl-C to stop.')) resolve(stdout());
      });
      ended.then((result) => reject(new Error(`ended (${result.code}): ${result.stderr}`)), reject);
    });
    const url = /export ENTITLEMENTS_EMULATOR_CONTROL=(\S+)/.exec(printed)?.[1];
    const fault = await fetch(`${url}/confluent/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'reset' }),
    });
    expect(fault.status).toBe(201);
    child.kill('SIGINT');
    const result = await ended;
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('SIGINT: stopping the emulators');
  });

  it('`--help` loads the CLI and commander only: no vendor SDK, gRPC, BullMQ, ioredis, node:sqlite or emulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-loaded-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'loaded.txt');
    const { child, ended, stdout } = start(['--help'], {
      node: ['--import', pathToFileURL(HOOK).href],
      env: { LOADED_MODULES_FILE: file },
    });
    child.stdin?.end();
    const result = await ended;
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(stdout()).toMatch(/^Usage: entitlements/);
    const loaded = readFileSync(file, 'utf8').split('\n');
    // The hook saw the process: the CLI's own modules and commander are in the list.
    expect(loaded).toContain(pathToFileURL(join(ROOT, 'src/cli/program.ts')).href);
    expect(loaded.some((url) => url.includes('/node_modules/commander/'))).toBe(true);
    const heavy = loaded.filter(
      (url) =>
        HEAVY.some((name) => url.includes(`/node_modules/${name}/`)) ||
        url === 'node:sqlite' ||
        url.includes('/src/testing/') ||
        // The help lists the plan and product ids the spec defines: that data module only.
        (url.includes('/src/vendors/') && !url.endsWith('/src/vendors/confluent/catalog.ts')) ||
        url.includes('/src/batch/engine.ts'),
    );
    expect(heavy).toEqual([]);
  });
});
