import { defineConfig } from "vite";
import { serviceWorker } from "./web/build/service-worker-plugin";

// The web app is a plain static site: dist/ is served by the Worker's static assets, or can be
// deployed on its own to Pages (set VITE_API_ORIGIN to the Worker's origin for that).
export default defineConfig({
  root: "web",
  publicDir: "public",
  // The manifest lets the benchmark add up what each route loads.
  build: { outDir: "../dist", emptyOutDir: true, target: "es2022", sourcemap: false, manifest: true },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // dist/sw.js: keeps this build's hashed files for the installed app (web/src/shell/).
  plugins: [serviceWorker()],
  server: {
    // `vite dev` on :5173 with `wrangler dev` on :8787 behind it.
    proxy: { "/api": { target: "http://127.0.0.1:8787", ws: true } },
  },
});
