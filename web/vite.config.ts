import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The server serves the build from the Python package: src/trilith/web/static.
const outDir = fileURLToPath(new URL("../src/trilith/web/static", import.meta.url));

export default defineConfig({
  // JSX is compiled by Vite's built-in transform (tsconfig "jsx": "react-jsx").
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", changeOrigin: false },
      "/health": "http://127.0.0.1:8000",
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
