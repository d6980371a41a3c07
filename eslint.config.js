import tseslint from 'typescript-eslint';

// Crypto has one home: only packages/server/src/security/ may import these.
const CRYPTO = ['node:crypto', 'crypto', 'jose', '@simplewebauthn/server', '@simplewebauthn/server/helpers'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', '**/*.js', '**/*.mjs', 'test/e2e/pages/**'] },
  {
    files: ['packages/*/src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/security/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: CRYPTO.map((name) => ({ name, message: 'Crypto lives in packages/server/src/security/ only.' })) },
      ],
    },
  },
);
