// Layering is enforced here, not by goodwill: core/ is plain Node (no electron, no react),
// renderer/ sees the engine only through core/contract. The layers inside core/ and the ban on
// import cycles are held by dependency-cruiser (.dependency-cruiser.cjs, `npm run lint:layers`).
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
    // Flows read as short pipelines of named stages: no function over 120 lines in production code.
    // Format parsers (one state machine over a format) are the exception.
    files: ['core/**/*.ts'],
    ignores: ['**/*.test.ts', 'core/knowledge/import/extractors/html.ts', 'core/models/gguf/reader.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // One group, so that the `!` exceptions apply (forbid() makes one group per pattern).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // gitignore rules: everything of core/ except the contract (methods, client, transport).
              group: ['electron', '**/core/*', '!**/core/contract', '**/electron/**'],
              message: 'renderer/ talks to the engine only through the typed API client (core/contract).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**'],
    rules: forbid(
      ['react', 'react-dom', '**/renderer/**'],
      'electron/ is thin glue and never imports the UI.',
    ),
  },
);
