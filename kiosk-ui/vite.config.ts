import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Pages from one package: the customer kiosk (/kiosk/), the reception desk (/desk/) and the
// workshop's bay terminal; the phone's status page is built apart (vite.status.config.ts).
// The gateway serves dist/kiosk, dist/desk, dist/bay, dist/status and the shared dist/assets.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { kiosk: resolve(import.meta.dirname, 'kiosk/index.html'), desk: resolve(import.meta.dirname, 'desk/index.html'),
        // The workshop's bay terminal (keyboard-wedge scanner).
        bay: resolve(import.meta.dirname, 'bay/index.html') },
    },
  },
  server: { proxy: { '/mqtt': { target: 'ws://localhost:8080', ws: true } } },
});
