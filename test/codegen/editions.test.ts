/**
 * Each edition of the vendor's spec the repository knows, dropped in as
 * openapi/confluent/openapi.yaml of a copy of the repository: the committed YAML, the full-spec
 * fixture that lists plans with `enum`, and the fixture in the shape of the real full spec
 * (`x-extensible-enum`, `$ref`'d parameters, ...). For each one: `npm run generate`, the OpenAPI
 * lint, then (test/codegen/edition-child.ts, in the copy) validators built from the generated
 * document, the emulator started from it, and a create and a get through the adapter.
 *
 * One edition after the other: each step is a child process, and the machine may be busy.
 */
import { cp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfRepo, generate, repoRoot, runNode } from './repo-copy.ts';

const TIMEOUT = 180_000;
const VENDOR_DIR = 'openapi/confluent';
const REDOCLY = 'node_modules/@redocly/cli/bin/cli.js';

const EDITIONS = [
  { name: 'the committed YAML', fixture: undefined },
  { name: 'the full-spec fixture (enum)', fixture: 'test/fixtures/confluent-full-spec' },
  { name: 'the real-shape fixture (x-extensible-enum)', fixture: 'test/fixtures/confluent-real-shape' },
] as const;

/** Replaces the vendor YAML of `dir` with a fixture's files (its build script stays behind). */
async function dropIn(dir: string, fixture: string): Promise<void> {
  await rm(path.join(dir, VENDOR_DIR), { recursive: true, force: true });
  for (const entry of await readdir(path.join(repoRoot, fixture))) {
    if (entry.endsWith('.ts')) continue;
    await cp(path.join(repoRoot, fixture, entry), path.join(dir, VENDOR_DIR, entry), { recursive: true });
  }
}

interface Problem {
  ruleId: string;
  location: { pointer: string }[];
}

interface ChildReport {
  validators: { valid: [number, number]; wrongPlan: [number, number] };
  refused: string;
  requestsAfterRefusal: number;
  sentFields: string[];
  created: { state: string; id: string };
  read: { state: string; id: string; plan: string; fields: string[] };
  differing: string[];
  storedAsRead: boolean;
  requests: string[];
}

describe.each(EDITIONS)('$name as openapi/confluent/openapi.yaml', ({ fixture }) => {
  it(
    'generates, lints, and serves a create and a get through the adapter and the emulator built from it',
    async () => {
      const dir = await copyOfRepo('edition-', [
        'scripts',
        'src',
        'openapi',
        'generated',
        'package.json',
        'redocly.yaml',
        'test/codegen/edition-child.ts',
      ]);
      if (fixture) await dropIn(dir, fixture);

      const generated = await generate(dir);
      expect(generated.stderr).toBe('');
      expect(generated.code).toBe(0);
      expect(generated.stdout).toContain('confluent: normalisations of the vendor YAML');
      expect(generated.stdout).toContain('confluent: what changed in the operations the library uses');

      // The vendor YAML is judged by rules that hold for any edition; the normalised document by all.
      for (const api of ['vendor@confluent', 'normalised@confluent']) {
        const lint = await runNode(dir, [REDOCLY, 'lint', api, '--format=json']);
        const { problems } = JSON.parse(lint.stdout) as { problems: Problem[] };
        const listed = problems.map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}`);
        expect(lint.code, `${api}: ${lint.stderr}\n${listed.join('\n')}`).toBe(0);
        if (api === 'normalised@confluent') expect(listed).toEqual([]);
      }

      const child = await runNode(dir, ['test/codegen/edition-child.ts']);
      expect(child.stderr).toBe('');
      expect(child.code).toBe(0);
      const report = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
      // Both validators accept the full body and refuse a plan the spec does not list.
      expect(report.validators.valid).toEqual([0, 0]);
      expect(report.validators.wrongPlan).toEqual([1, 1]);
      // A wrong plan is refused before anything is sent.
      expect(report.refused).toBe('invalid-argument');
      expect(report.requestsAfterRefusal).toBe(0);
      // Created, read back, and stored with every field that was sent.
      expect(report.created.state).toBe('active');
      expect(report.read).toMatchObject({ state: 'active', id: report.created.id });
      expect(report.differing).toEqual([]);
      for (const field of report.sentFields) expect(report.read.fields).toContain(field);
      expect(report.storedAsRead).toBe(true);
      expect(report.requests).toEqual(['POST 201', 'GET 200', 'GET 200']);
    },
    TIMEOUT,
  );
});
