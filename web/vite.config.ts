import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the APIs to a running stack (scripts/up): /console talks to the
// control plane, /app to the data plane, each on its own origin in production.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/v1/t': 'http://127.0.0.1:8080',
      '/v1': 'http://127.0.0.1:8090',
    },
  },
});
