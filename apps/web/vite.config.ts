import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The server serves dist/ under /app/ (see src/app/router.tsx). `npx vite` proxies the API
// to a `renkei serve` on its default port so the app can be developed against a real server.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  // JSX through Vite's own esbuild; no React plugin (no fast refresh, which needs an inline preamble).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // ECharts is one ~520 kB chunk, loaded only when a chart is first shown; the rest stays small.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(warning, warn) {
        // Mantine marks its modules "use client" for React Server Components; meaningless in a SPA bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        // The same directives, reported again when Rollup maps their position through a source map.
        if (warning.code === 'SOURCEMAP_ERROR' && warning.id?.includes('/node_modules/')) return;
        warn(warning);
      },
      output: {
        manualChunks: (id) => {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          if (id.includes('node_modules/@mantine/') || id.includes('node_modules/@floating-ui/')) return 'mantine';
          if (/node_modules\/(i18next|react-i18next)\//.test(id)) return 'i18n';
          if (id.includes('node_modules/@tanstack/')) return 'tanstack';
          return undefined;
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  preview: { host: '127.0.0.1' },
});
