import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests talk to emulators on 127.0.0.1 only; nothing leaves the machine.
    env: { NO_PROXY: '*' },
  },
});
