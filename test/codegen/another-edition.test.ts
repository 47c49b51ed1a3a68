/**
 * Another edition of the vendor's spec must leave the suite green: in a copy of the repository,
 * the fixture in the shape of the real full spec replaces openapi/confluent/openapi.yaml,
 * `npm run generate` runs, and then what depends on the spec runs there:
 * - the typecheck of everything (src/, the tests, the type tests of test/types): every type that
 *   comes from generated/ meets the code and the tests written against it;
 * - the OpenAPI lint (both documents);
 * - the tests that exercise the Confluent adapter, its validation and idempotency, the emulator,
 *   the facade's routing and tracing over Confluent, the normalisations on the vendor YAML and the
 *   drift check (which edits the YAML).
 * The CLI and packaging tests are left out: they reach the spec only through the same generated
 * types and adapter (covered above), and each builds or spawns for tens of seconds.
 */
import { cp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { copyOfRepo, generate, repoRoot, runNode } from './repo-copy.ts';

const FIXTURE = 'test/fixtures/confluent-real-shape';
const VENDOR_DIR = 'openapi/confluent';
const SPEC_DEPENDENT_TESTS = [
  'test/vendors/confluent',
  'test/emulator/confluent-emulator.test.ts',
  'test/facade/routing.test.ts',
  'test/facade/tracing.test.ts',
  'test/codegen/normalizations.test.ts',
  'test/codegen/drift-check.test.ts',
];

function tail(text: string): string {
  return text.split('\n').slice(-60).join('\n');
}

describe('the real-shape fixture dropped in as openapi/confluent/openapi.yaml', () => {
  it('regenerates, and the typecheck, the lint and the spec-dependent tests pass', async () => {
    const dir = await copyOfRepo('another-edition-', [
      'src',
      'test',
      'scripts',
      'bench',
      'generated',
      'openapi',
      'package.json',
      'tsconfig.json',
      'vitest.config.ts',
      'redocly.yaml',
    ]);
    await rm(path.join(dir, VENDOR_DIR), { recursive: true, force: true });
    for (const entry of await readdir(path.join(repoRoot, FIXTURE)))
      if (!entry.endsWith('.ts'))
        await cp(path.join(repoRoot, FIXTURE, entry), path.join(dir, VENDOR_DIR, entry), { recursive: true });

    const generated = await generate(dir);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('confluent: what changed in the operations the library uses');

    const typecheck = await runNode(dir, ['node_modules/typescript-7/bin/tsc', '-p', 'tsconfig.json']);
    expect(typecheck.code, tail(typecheck.stdout + typecheck.stderr)).toBe(0);

    const lint = await runNode(dir, ['node_modules/@redocly/cli/bin/cli.js', 'lint']);
    expect(lint.code, tail(lint.stdout + lint.stderr)).toBe(0);

    const tests = await runNode(dir, [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--typecheck.enabled=false',
      '--maxWorkers=1',
      ...SPEC_DEPENDENT_TESTS,
    ]);
    expect(tests.code, tail(tests.stdout + tests.stderr)).toBe(0);
    const summary = stripVTControlCharacters(tests.stdout);
    expect(summary).toMatch(/Test Files +\d+ passed/);
    expect(summary).not.toMatch(/failed|skipped/);
  }, 600_000);
});
