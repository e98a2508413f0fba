// @ts-check
// Type-aware lint with zero warnings (`eslint . --max-warnings=0`). Prettier owns formatting, so no
// stylistic rules are enabled here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const testFiles = ['test/**', '**/*.test.ts'];

export default defineConfig(
  globalIgnores([
    'dist/',
    'node_modules/',
    'data/',
    'coverage/',
    'test-output/',
    '.test-build/',
    '.bench-build/',
    '**/*.config.js',
  ]),

  {
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
      reportUnusedInlineConfigs: 'error',
    },
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,

  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Exhaustiveness is spelled out with `assertNever`; a `default` does not silence a missing case.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { allowDefaultCaseForExhaustiveSwitch: true, considerDefaultExhaustiveForUnions: false },
      ],
      // With experimentalDecorators + emitDecoratorMetadata (read from tsconfig by the project service)
      // the rule leaves files containing decorators alone, since a type-only import there would erase
      // the runtime class that type-graphql and MikroORM read from `design:type` metadata.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Resolvers, Fastify handlers and port implementations stay `async` without awaiting so that a
      // throw always becomes a rejection; the rule would push them towards sync throws.
      '@typescript-eslint/require-await': 'off',
      // `noUncheckedIndexedAccess` is on: narrow with a check instead of asserting (allowed in tests).
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },

  {
    files: testFiles,
    rules: {
      // Tests read loosely typed JSON (GraphQL responses, peer payloads) and assert on it.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `expect(service.method)` passes methods around without calling them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // Plain JavaScript files (if any appear outside the ignores) are not part of the TypeScript program.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
