// Builds the service worker (web/src/shell/sw/service-worker.ts) into dist/sw.js at the end of
// each production build, with the list of that build's hashed files and a version derived from
// it. The worker is its own small bundle, a classic script (module service workers are too new
// in some browsers), compiled by Vite like the app. `vite dev` gets no worker: the page registers
// one only in a production build (web/src/shell/register.ts).

import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "vite";

const ENTRY = fileURLToPath(new URL("../src/shell/sw/service-worker.ts", import.meta.url));
/** Where the page registers it: at the root, so that its scope is the whole app. */
export const SW_FILE = "sw.js";

/**
 * The files a build names by their content's hash: everything Vite writes under its assets
 * folder (scripts, styles, the lazily loaded pages and catalogs), but no source maps. The page
 * itself (index.html) and the public files (manifest, icons) keep their names across deploys,
 * so they are not among them.
 */
export function hashedAssets(fileNames: readonly string[], assetsDir: string): string[] {
  const prefix = `${assetsDir.replace(/\/$/, "")}/`;
  return fileNames
    .filter((f) => f.startsWith(prefix) && !f.endsWith(".map"))
    .map((f) => `/${f}`)
    .sort();
}

/** The build's version: the same files give the same version, a changed file a new one. */
export const versionOf = (assets: readonly string[]): string => createHash("sha256").update(assets.join("\n")).digest("hex").slice(0, 16);

export function serviceWorker(): Plugin {
  let assetsDir = "assets";
  return {
    name: "roomlink:service-worker",
    apply: "build",
    configResolved(config) {
      assetsDir = config.build.assetsDir;
    },
    async generateBundle(_options, bundle) {
      const assets = hashedAssets(Object.keys(bundle), assetsDir);
      const version = versionOf(assets);
      const out = await build({
        configFile: false,
        logLevel: "warn",
        publicDir: false,
        define: { __SHELL_VERSION__: JSON.stringify(version), __SHELL_ASSETS__: JSON.stringify(assets) },
        build: {
          write: false,
          copyPublicDir: false,
          emptyOutDir: false,
          target: "es2022",
          minify: true,
          modulePreload: false,
          rolldownOptions: { input: ENTRY, output: { format: "iife", entryFileNames: SW_FILE } },
        },
      });
      const outputs = Array.isArray(out) ? out : [out];
      const chunk = outputs.flatMap((o) => ("output" in o ? o.output : [])).find((f) => f.type === "chunk" && f.fileName === SW_FILE);
      if (!chunk || chunk.type !== "chunk") throw new Error("the service worker was not built");
      this.emitFile({ type: "asset", fileName: SW_FILE, source: chunk.code });
    },
  };
}
