import { defineConfig, mergeConfig } from 'vitest/config';
import vite from './vite.config';

// Unit tests run in node; a test that needs the DOM asks for jsdom in its first line.
export default mergeConfig(
  vite,
  defineConfig({
    test: {
      include: ['src/**/*.test.{ts,tsx}'],
      restoreMocks: true,
      unstubGlobals: true,
    },
  }),
);
