import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Dependencies point one way: core ← data ← services ← faces (http, cli). */
const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/**', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layer(
    ['src/core/**/*.ts'],
    ['**/data/*', '**/services/*', '**/http/*', '**/cli/*', 'node:fs', 'node:net', 'node:http', 'fastify'],
    'the core is pure: no I/O and no imports from outer layers',
  ),
  layer(
    ['src/data/**/*.ts'],
    ['**/services/*', '**/http/*', '**/cli/*'],
    'data must not depend on services or faces',
  ),
  layer(
    ['src/store/**/*.ts'],
    ['**/services/*', '**/http/*', '**/cli/*', '**/agi/*', '**/ami/*'],
    'the store is a data-layer port: no services or faces',
  ),
  layer(['src/services/**/*.ts'], ['**/http/*', '**/cli/*'], 'services must not depend on faces'),
  {
    files: ['src/**/*.test.ts', 'test/**'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['bench/**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', performance: 'readonly' } },
  },
);
