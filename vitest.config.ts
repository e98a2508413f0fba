import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  plugins: [swc.vite({ jsc: { target: 'es2022' } })],
  resolve: {
    // graphql 16 has no `exports`: Node loads its CommonJS build, Vite would pick index.mjs. One copy only.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one MariaDB database; run files one after another.
    fileParallelism: false,
    pool: 'forks',
  },
});
