/**
 * Runs `scripts/generate.ts` (or another Node script) as CI does, in the repository or in a
 * throw-away copy of what it reads and writes (sharing the repository's node_modules). Copies are
 * removed after the test file.
 */
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { spawnCaptured } from '../support/child-process.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** The repository's Node (the `node` devDependency), as `npm run` uses it. */
export const NODE = path.join(repoRoot, 'node_modules/.bin/node');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function generate(cwd: string, ...args: string[]): Promise<Run> {
  return runNode(cwd, ['scripts/generate.ts', ...args]);
}

/** Runs Node with `args` in `cwd`, outside this test run (no NODE_OPTIONS, no VITEST variables). */
export function runNode(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  return spawnCaptured(NODE, args, { cwd, env }).ended.then(({ code, stdout, stderr }) => ({
    code,
    stdout,
    stderr,
  }));
}

const copies: string[] = [];
afterAll(async () => {
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** What the generator reads and writes: scripts/ and the src/openapi/ helpers it imports, openapi/, generated/, package.json, redocly.yaml. */
export const GENERATOR_FILES = [
  'scripts',
  'src/openapi',
  'openapi',
  'generated',
  'package.json',
  'redocly.yaml',
];

/** A copy of `entries` of the repository (default: what the generator reads and writes). */
export async function copyOfRepo(
  prefix = 'drift-check-',
  entries: readonly string[] = GENERATOR_FILES,
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  copies.push(dir);
  for (const entry of entries) {
    await cp(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}
