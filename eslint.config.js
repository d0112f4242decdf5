// Layering is enforced here, not by goodwill: core/ is plain Node (no electron, no react),
// renderer/ sees the engine only through the API's types, electron/ never reaches into core internals.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const forbid = (names, message) => ({
  'no-restricted-imports': ['error', { patterns: names.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'build/**', '.cache/**', '.fixtures/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**'],
    rules: forbid(
      ['electron', 'electron/*', 'react', 'react-dom', 'react/*', '**/renderer/**', '**/electron/**'],
      'core/ is plain Node: it never imports electron, react, renderer/ or electron/.',
    ),
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: forbid(
      ['electron', '**/core/**', '!**/core/api/types*', '**/electron/**'],
      'renderer/ talks to the engine only through the typed API client (core/api types).',
    ),
  },
  {
    files: ['electron/**'],
    rules: forbid(
      ['react', 'react-dom', '**/renderer/**'],
      'electron/ is thin glue and never imports the UI.',
    ),
  },
);
