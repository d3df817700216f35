import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC (not esbuild) compiles the tests and sources so that Nest's constructor injection,
// which depends on emitDecoratorMetadata, works the same as in the tsc build.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  resolve: {
    // One graphql module, as in production: Node loads its CommonJS build for everyone (Mercurius
    // requires it), while Vite would resolve our imports to its ESM build, a second copy whose
    // types graphql refuses to mix ("Cannot use GraphQLScalarType from another module or realm").
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.test.ts', 'console/src/**/*.spec.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file boots its own app against the shared test database; files never share tenants.
    fileParallelism: true,
  },
});
