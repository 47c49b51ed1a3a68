const spec = process.argv[2];
const t0 = performance.now();
await import(spec);
process.stdout.write(String(performance.now() - t0));
