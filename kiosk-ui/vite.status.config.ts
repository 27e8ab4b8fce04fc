import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The customer's phone status page, built on its own after the other pages (vite.config.ts) into
// the same dist: a build of several pages shares chunks among them, and the phone would load the
// desk's and kiosk's share of a common chunk (classic zod, their schemas). Alone, it carries only
// what it imports (issue 14: ≤ 30 kB gzip on a phone).
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    rollupOptions: { input: { status: resolve(import.meta.dirname, 'status/index.html') } },
  },
});
