import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The public web app: built into dist/web and served by `vulnshare serve` at /.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
