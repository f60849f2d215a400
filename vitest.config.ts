import { defineConfig } from 'vitest/config';

// Tests touch real sockets, namespaces and the kernel: give them time, and run files in
// separate processes so a crash or a leaked handle in one cannot poison another.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
