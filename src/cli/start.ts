/**
 * `npm start`: the demo with no arguments, any command otherwise (`npm start -- emulator`,
 * `npm start -- create confluent --help`).
 */
import { run } from './program.ts';

const args = process.argv.slice(2);
process.exitCode = await run({ args: args.length > 0 ? args : ['demo'] });
