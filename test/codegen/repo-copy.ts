/**
 * Runs `scripts/generate.ts` as CI does, in the repository or in a throw-away copy of what the
 * generator reads and writes (sharing the repository's node_modules). Copies are removed after
 * the test file.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(repoRoot, 'node_modules/.bin/node');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function generate(cwd: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['scripts/generate.ts', ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const copies: string[] = [];
afterAll(async () => {
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A copy of what the generator reads and writes (scripts/ and the src/openapi/ helpers it imports, openapi/, generated/, package.json, redocly.yaml). */
export async function copyOfRepo(prefix = 'drift-check-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  copies.push(dir);
  for (const entry of ['scripts', 'src/openapi', 'openapi', 'generated', 'package.json', 'redocly.yaml']) {
    await cp(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}
