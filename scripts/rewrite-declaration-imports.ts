/**
 * Post-build step of `npm run build`: rewrites relative `.ts` / `.mts` / `.cts` specifiers in the
 * emitted declaration files to `.js` / `.mjs` / `.cjs`, as `rewriteRelativeImportExtensions`
 * already does for the JavaScript. tsc (5.9, and 7) leaves declarations untouched
 * (microsoft/TypeScript#61037): TypeScript itself resolves `./x.ts` in a `.d.ts` to `./x.d.ts`, but
 * other readers of published declarations (IDEs, declaration bundlers, runtimes that follow
 * `types`) look for a file that is not in the package. Same length, so declaration maps stay exact.
 *
 * Usage: `node scripts/rewrite-declaration-imports.ts [dir]` (default `dist`).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SPECIFIER =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]*?)(?<!\.d)\.([mc]?)ts\2/g;

function rewriteDeclarationImports(text: string): string {
  return text.replace(SPECIFIER, (_match, keyword, quote, path, flavour) => {
    return `${keyword}${quote}${path}.${flavour}js${quote}`;
  });
}

async function main(dir: string): Promise<void> {
  let files = 0;
  let specifiers = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.d\.[mc]?ts$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    const rewritten = rewriteDeclarationImports(text);
    if (rewritten === text) continue;
    files += 1;
    specifiers += [...text.matchAll(SPECIFIER)].length;
    await writeFile(path, rewritten);
  }
  if (process.env.npm_config_loglevel !== 'silent') {
    console.log(`declarations: ${specifiers} relative .ts specifiers rewritten in ${files} files`);
  }
}

await main(process.argv[2] ?? 'dist');
