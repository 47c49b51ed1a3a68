#!/usr/bin/env node
// The `entitlements` command (the package's bin). In a checkout of the repository it runs the
// TypeScript sources with Node's type stripping, so `npx entitlements` works right after
// `npm ci` and never runs a stale build; in the published package, which ships no sources, it
// runs the build in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const build = new URL('../dist/src/cli/main.js', import.meta.url);
const stripsTypes = Boolean(process.features?.typescript);
const inNodeModules = fileURLToPath(sources).split(/[\\/]/).includes('node_modules');

if (existsSync(sources) && stripsTypes && !inNodeModules) await import(sources.href);
else if (existsSync(build)) await import(build.href);
else {
  process.stderr.write(
    `entitlements: Node ${process.versions.node} cannot run the TypeScript sources of this checkout, and there is no build (dist/). ` +
      "Run it through npm, which uses the repository's Node 24 (`npx entitlements`, `npm start -- <command>`), or build it first (`npm run build`).\n",
  );
  process.exitCode = 1;
}
