import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The waiting-lounge screen, served by the gateway at /board/.
export default defineConfig({
  base: '/board/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/mqtt': { target: 'ws://localhost:8080', ws: true } } },
});
