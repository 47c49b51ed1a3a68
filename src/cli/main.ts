#!/usr/bin/env node
/**
 * The `entitlements` command. Runs from the repository (`node src/cli/main.ts`, Node 24 type
 * stripping; `bin/entitlements.js` picks it) and from the build (`dist/src/cli/main.js`). The
 * process ends by itself once the command is done: the exit code is set, never forced.
 */
import { run } from './program.ts';

process.exitCode = await run({ args: process.argv.slice(2) });
