import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Two pages from one package: the customer kiosk (/kiosk/) and the reception desk (/desk/).
// The gateway serves dist/kiosk, dist/desk and the shared dist/assets.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { kiosk: resolve(import.meta.dirname, 'kiosk/index.html'), desk: resolve(import.meta.dirname, 'desk/index.html'),
        // The workshop's bay terminal (keyboard-wedge scanner) and the customer's phone status page.
        bay: resolve(import.meta.dirname, 'bay/index.html'),
        status: resolve(import.meta.dirname, 'status/index.html') },
    },
  },
  server: { proxy: { '/mqtt': { target: 'ws://localhost:8080', ws: true } } },
});
