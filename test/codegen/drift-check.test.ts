import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isObject } from '../../scripts/lib/json.ts';
import { copyOfRepo, generate, repoRoot } from './repo-copy.ts';

const SCHEMA = 'generated/confluent/schema.ts';
const OPENAPI = 'generated/confluent/openapi.json';
const VENDOR = 'openapi/confluent/openapi.yaml';
const TIMEOUT = 30_000;

/**
 * Adds `value` to every list of `plan_id` values in the document (`enum`, or `x-extensible-enum` as
 * the full spec writes it); returns how many lists it changed.
 */
function addPlanId(node: unknown, value: string): number {
  if (Array.isArray(node)) return node.reduce((sum: number, child) => sum + addPlanId(child, value), 0);
  if (!isObject(node)) return 0;
  let changed = 0;
  const planId = isObject(node.properties) ? node.properties.plan_id : undefined;
  for (const key of ['enum', 'x-extensible-enum']) {
    const values = isObject(planId) ? planId[key] : undefined;
    if (Array.isArray(values)) {
      values.push(value);
      changed++;
    }
  }
  for (const child of Object.values(node)) changed += addPlanId(child, value);
  return changed;
}

describe('generate --check', () => {
  it(
    'passes on the committed tree',
    async () => {
      const run = await generate(repoRoot, '--check', '--quiet');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('generated/ is up to date');
    },
    TIMEOUT,
  );

  it(
    'fails and names the stale file when a generated file was edited',
    async () => {
      const dir = await copyOfRepo();
      expect((await generate(dir, '--check', '--quiet')).code).toBe(0);

      await appendFile(path.join(dir, SCHEMA), 'export type HandEdited = true;\n');
      const run = await generate(dir, '--check', '--quiet');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('generated/ is stale');
      expect(run.stderr).toContain(SCHEMA);
      expect(run.stderr).not.toContain(OPENAPI);
      expect(run.stdout).not.toContain('up to date');
    },
    TIMEOUT,
  );

  it(
    'fails when the vendor adds a plan id; `generate` alone brings generated/ up to date',
    async () => {
      const dir = await copyOfRepo();
      // A plan id no edition lists (checked against what generated/ holds).
      const NEW_PLAN = 'confluent-cloud-drift-check-prod';
      expect(await readFile(path.join(dir, OPENAPI), 'utf8')).not.toContain(NEW_PLAN);
      const vendor = parseYaml(await readFile(path.join(dir, VENDOR), 'utf8')) as unknown;
      expect(addPlanId(vendor, NEW_PLAN)).toBeGreaterThan(0);
      await writeFile(path.join(dir, VENDOR), stringifyYaml(vendor));

      const stale = await generate(dir, '--check', '--quiet');
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(SCHEMA);
      expect(stale.stderr).toContain(OPENAPI);
      // --check prints the change report when it fails.
      expect(stale.stderr).toContain('confluent: what changed in the operations the library uses');
      expect(stale.stderr).toContain(`plan_id: enum value "${NEW_PLAN}" added`);

      const oldSchema = await readFile(path.join(dir, SCHEMA), 'utf8');
      const oldOpenapi = JSON.parse(await readFile(path.join(dir, OPENAPI), 'utf8')) as unknown;
      const written = await generate(dir);
      expect(written.stderr).toBe('');
      expect(written.code).toBe(0);
      // The change report names the new value, and a new value is not breaking for the request.
      expect(written.stdout).toMatch(new RegExp(`\\n {4}plan_id: enum value "${NEW_PLAN}" added\\n`));

      const newSchema = await readFile(path.join(dir, SCHEMA), 'utf8');
      const planLines = (text: string) => text.split('\n').filter((line) => /^\s*plan_id\??: /.test(line));
      expect(planLines(newSchema).length).toBeGreaterThan(0);
      expect(planLines(newSchema).length).toBe(planLines(oldSchema).length);
      for (const line of planLines(newSchema)) expect(line).toContain(`"${NEW_PLAN}"`);
      // The new enum value is the only difference in the normalised document.
      const expected = structuredClone(oldOpenapi);
      addPlanId(expected, NEW_PLAN);
      expect(JSON.parse(await readFile(path.join(dir, OPENAPI), 'utf8'))).toEqual(expected);

      const check = await generate(dir, '--check', '--quiet');
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('generated/ is up to date');
    },
    TIMEOUT,
  );
});
