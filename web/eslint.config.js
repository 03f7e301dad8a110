// Lint rules for web/: typescript-eslint's recommended set, the React hooks rules (the
// latter catch stale effect dependencies, which the type checker cannot), and no text
// written into JSX: every string users read goes through the catalogues (src/i18n/).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist', 'test-results', 'playwright-report', 'node_modules', 'src/api/*.gen.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  reactHooks.configs.flat.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['src/**/*.tsx'],
    ignores: ['src/**/*.test.tsx'],
    plugins: { i18next },
    rules: { 'i18next/no-literal-string': ['error', { mode: 'jsx-text-only' }] },
  },
  {
    files: ['*.{js,ts}', 'tests/**/*.{js,mjs,ts}'],
    languageOptions: { globals: globals.node },
  },
);
