import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startChannelEmulator } from '../../../src/testing/index.ts';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const process of children.splice(0)) process.kill('SIGKILL');
});

function run(args: string[]) {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  proc.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', () => {
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(line);
    });
    proc.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
  return { proc, firstLine, output: () => ({ stdout, stderr }) };
}

describe('crash and resume', () => {
  it('create in one process, SIGKILL it mid-operation, resume from the token in another: one entitlement', async () => {
    const emulator = await startChannelEmulator({ completion: { afterMs: 1_500 } });
    try {
      const first = run(['create', String(emulator.grpcAddress.port)]);
      const { token } = JSON.parse(await first.firstLine) as { token: string };
      first.proc.kill('SIGKILL');
      await once(first.proc, 'exit');
      expect(first.proc.signalCode).toBe('SIGKILL');
      expect(emulator.operations()).toMatchObject([{ done: false }]);

      const second = run(['resume', String(emulator.grpcAddress.port), token]);
      const result = JSON.parse(await second.firstLine) as { id: string; state: string };
      expect(result.state).toBe('active');
      expect(emulator.operations()).toHaveLength(1);
      expect(emulator.entitlements()).toHaveLength(1);
      expect(emulator.entitlements()[0]?.name).toBe(result.id);
      expect(emulator.calls.filter((call) => call.method === 'CreateEntitlement')).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
