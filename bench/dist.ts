/**
 * What the bench measures is the built package, the way a user installs it: the JavaScript that
 * `npm run build` emits (same compiler, same tsconfig.build.json), under
 * `node_modules/.cache/bench/node_modules/entitlement-provisioner/` with its package.json, so that
 * `import 'entitlement-provisioner/confluent'` from `node_modules/.cache/bench/` resolves through
 * the package's exports map, and its dependencies from the repository's node_modules.
 *
 * It is built into a folder of its own rather than dist/ because other work in this checkout
 * rebuilds dist/ (`npm test` does) and would pull it from under a running bench. Declarations are
 * left out: the bench runs JavaScript only.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the consumer's files go (the cold-start child script, say). */
export const CONSUMER = join(ROOT, 'node_modules/.cache/bench');
export const PACKAGE = join(CONSUMER, 'node_modules/entitlement-provisioner');

/** Builds the package into PACKAGE (about 15 s) and returns the URL of its folder. */
export function buildPackage(): URL {
  rmSync(PACKAGE, { recursive: true, force: true });
  mkdirSync(PACKAGE, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(PACKAGE, 'dist'),
      '--declaration',
      'false',
    ],
    { stdio: 'inherit' },
  );
  copyFileSync(join(ROOT, 'package.json'), join(PACKAGE, 'package.json'));
  return pathToFileURL(`${PACKAGE}/`);
}

/** Copies `file` (a script of bench/) into the consumer folder, where it imports the package by name. */
export function placeInConsumer(file: URL, name: string): string {
  const target = join(CONSUMER, name);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(fileURLToPath(file), target);
  return target;
}

/** The package's entry module for a subpath of its exports (`.`, `./confluent`, ...), as a file URL. */
export function entryUrl(subpath: '.' | './confluent' | './google-channel' | './testing'): string {
  const file =
    subpath === '.' ? 'index' : subpath.slice(2) === 'testing' ? 'testing/index' : subpath.slice(2);
  return pathToFileURL(join(PACKAGE, 'dist/src', `${file}.js`)).href;
}
