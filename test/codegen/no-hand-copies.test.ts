/**
 * Generated, never copied: src/ spells none of the names the Cloud Channel protos define as a
 * string literal. The names are read from generated/google (every enum value, google.rpc.Code
 * included; every oneof member of a request message, such as the Value kinds; every kept type and
 * service name; every http rule), and src/ is parsed with the TypeScript compiler, so that only
 * string literals count (string literal types too), not comments or identifiers: an object key
 * or a property access is checked by the compiler against the generated types, a string is not.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as generated from '../../generated/google/channel.ts';
import { repoRoot } from './repo-copy.ts';

/** Where a generated name may be spelled, and why. Keep it short: each entry needs a reason. */
const ALLOWED: readonly { file: string; literal: string; reason: string }[] = [];

type Kind = 'enum value' | 'oneof member' | 'type name' | 'http rule';

/** Every name generated/google holds, with what it is. */
function generatedNames(): Map<string, Kind> {
  const names = new Map<string, Kind>();
  const module = generated as unknown as Record<string, unknown>;
  for (const [local, fullName] of Object.entries(generated.TYPE_NAMES)) {
    names.set(fullName, 'type name');
    const values = module[local];
    if (typeof values === 'object' && values !== null && !Array.isArray(values))
      for (const name of Object.keys(values)) names.set(name, 'enum value');
  }
  for (const rule of Object.values(generated.REQUEST_MESSAGES))
    for (const members of Object.values(rule.oneofs))
      for (const member of members) names.set(member, 'oneof member');
  for (const [name, value] of Object.entries(module))
    if (name.endsWith('_HTTP_RULES'))
      for (const rule of value as Record<string, unknown>[])
        for (const text of Object.values(rule))
          if (typeof text === 'string' && text !== '*') names.set(text, 'http rule');
  return names;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

interface Hit {
  file: string;
  line: number;
  literal: string;
  kind: Kind;
}

/** The string literals of `text` that are generated names. */
function scan(file: string, text: string, names: Map<string, Kind>): Hit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const hits: Hit[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      // protobufjs spells full names with a leading dot.
      const kind = names.get(node.text.replace(/^\./, ''));
      // An import path is not a name.
      if (kind && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        hits.push({ file, line: line + 1, literal: node.text, kind });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

describe('no hand copies of what the protos define', () => {
  const names = generatedNames();

  it('reads enum values, oneof members, type names and http rules from generated/google', () => {
    const kinds = new Set(names.values());
    expect([...kinds].sort()).toEqual(['enum value', 'http rule', 'oneof member', 'type name']);
    // Spot checks that each source is read at all (not what the vendor's values are).
    expect(names.get(Object.keys(generated.Code)[1] ?? '')).toBe('enum value');
    expect(names.get(generated.REQUEST_MESSAGES[generated.TYPE_NAMES.Value].oneofs.kind[0])).toBe(
      'oneof member',
    );
    expect(names.get(generated.TYPE_NAMES.Entitlement)).toBe('type name');
  });

  it('finds a hand copy when there is one (positive control)', () => {
    const [valueKind] = generated.REQUEST_MESSAGES[generated.TYPE_NAMES.Value].oneofs.kind;
    const code = Object.keys(generated.Code)[3] as string;
    const text = [
      `const kinds = ['${valueKind}'];`,
      `type C = '${code}';`,
      `// '${code}' in a comment is not a copy`,
      `const key = { ${valueKind}: 1 };`,
      `import x from '${generated.TYPE_NAMES.Entitlement}';`,
      `const any = '.${generated.TYPE_NAMES.Any}';`,
    ].join('\n');
    expect(scan('example.ts', text, names).map((hit) => [hit.line, hit.literal])).toEqual([
      [1, valueKind],
      [2, code],
      [6, `.${generated.TYPE_NAMES.Any}`],
    ]);
  });

  it('src/ spells no generated name as a string literal', async () => {
    const root = path.join(repoRoot, 'src');
    const hits: Hit[] = [];
    for (const file of await sourceFiles(root))
      hits.push(...scan(path.relative(repoRoot, file), await readFile(file, 'utf8'), names));
    const unexplained = hits.filter(
      (hit) => !ALLOWED.some((allowed) => allowed.file === hit.file && allowed.literal === hit.literal),
    );
    expect(
      unexplained.map((hit) => `${hit.file}:${hit.line} '${hit.literal}' (${hit.kind})`),
      'use the generated constants from generated/google/channel.ts instead',
    ).toEqual([]);
    // Every allow-list entry is still needed.
    for (const allowed of ALLOWED)
      expect(
        hits.some((hit) => hit.file === allowed.file && hit.literal === allowed.literal),
        allowed.file,
      ).toBe(true);
  });
});
