import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// Imports flow one way: ui -> store -> worker client => worker -> train -> model -> gpu -> numerics.
// Each layer lists what it may not reach; nothing below store imports React, d3 or zustand.
const uiLibs = ['react', 'react-dom', 'react-dom/*', 'd3', 'd3-*', 'zustand', 'zustand/*'];
const layer = (files, forbiddenDirs, extra = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...forbiddenDirs.map((dir) => ({
            group: [`**/${dir}/*`, `**/${dir}`],
            message: `This layer may not import from src/${dir} (imports flow ui -> store -> worker -> train -> model -> gpu -> numerics).`,
          })),
          ...extra.map((lib) => ({
            group: [lib],
            message: 'Nothing below src/store imports React, d3 or zustand.',
          })),
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'public'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  layer(['src/numerics/**'], ['gpu', 'model', 'train', 'worker', 'data', 'store', 'ui'], uiLibs),
  layer(['src/gpu/**'], ['model', 'train', 'worker', 'data', 'store', 'ui'], uiLibs),
  layer(['src/model/**'], ['train', 'worker', 'data', 'store', 'ui'], uiLibs),
  layer(['src/data/**'], ['gpu', 'model', 'train', 'worker', 'store', 'ui'], uiLibs),
  layer(['src/train/**'], ['worker', 'store', 'ui'], uiLibs),
  layer(['src/worker/**'], ['store', 'ui'], uiLibs),
  layer(['src/store/**'], ['ui', 'train', 'model', 'gpu'], ['react', 'react-dom', 'd3', 'd3-*']),
);
