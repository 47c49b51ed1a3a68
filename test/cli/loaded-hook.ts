/**
 * Preloaded (`node --import`) by the start-up test of smoke.test.ts: records every module the
 * process resolves (ES modules, CommonJS packages and node: builtins alike) and writes the list,
 * one URL a line, to the file named by LOADED_MODULES_FILE when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.LOADED_MODULES_FILE;
const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  if (file) writeFileSync(file, [...resolved].join('\n'));
});
