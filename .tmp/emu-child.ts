import { startConfluentEmulator } from '../src/testing/index.ts';
const emu = await startConfluentEmulator();
process.stdout.write(`${emu.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => emu.close());
