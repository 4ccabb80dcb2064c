import { defineConfig } from 'vite';

// The operators' dashboard: built into web/dist, served by the API under /dashboard/.
export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});
