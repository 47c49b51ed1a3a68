/** Writes generated files, or (check mode) reports the ones that differ from what is on disk. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function staleFiles(files: Map<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of files) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current !== content) stale.push(file);
  }
  return stale;
}

export async function writeFiles(files: Map<string, string>): Promise<void> {
  for (const [file, content] of files) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}
