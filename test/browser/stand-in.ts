// Starts the Realtime stand-in (test/realtime-stand-in/, test infrastructure only) from plain
// Node, for the browser tests and the bench: its HTTP server on a loopback port and its werift
// engine forwarding real media. Point the app at `apiUrl` (REALTIME_API_URL) with the same app id
// and secret.
//
// The stand-in's HTTP half is written for vitest (relative imports without an extension, and
// parameter properties), which Node's own type stripping does not take: within
// test/realtime-stand-in/, an import Node cannot find is tried again with ".ts", and those files
// are transformed (not only stripped) before they run. The hooks are registered when this module
// loads, and touch nothing outside that folder.

import { readFileSync } from "node:fs";
import { registerHooks, stripTypeScriptTypes } from "node:module";
import { fileURLToPath } from "node:url";
import { WeriftEngine } from "../realtime-stand-in/werift-engine.ts";

/** What the tests use of test/realtime-stand-in/server.ts RunningStandIn. */
export interface RunningStandIn {
  apiUrl: string;
  standIn: { seen: Array<{ method: string; path: string; body: unknown }> };
  engine: WeriftEngine;
  stop(): Promise<void>;
}

const STAND_IN = "/test/realtime-stand-in/";
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (e) {
      if (!specifier.startsWith("./") || !context.parentURL?.includes(STAND_IN)) throw e;
      return next(`${specifier}.ts`, context);
    }
  },
  load(url, context, next) {
    if (!url.startsWith("file:") || !url.includes(STAND_IN) || !url.endsWith(".ts") || url.includes("/node_modules/")) return next(url, context);
    // Node 22 has the "transform" mode; @types/node types only "strip" (later Nodes transform by other means).
    const transform = { mode: "transform" } as unknown as { mode: "strip" };
    const source = stripTypeScriptTypes(readFileSync(fileURLToPath(url), "utf8"), transform);
    return { format: "module", source, shortCircuit: true };
  },
});

/** The stand-in with a fresh engine; `stop()` closes the server and shuts the engine down. */
export async function startStandIn(appId: string, secret: string): Promise<RunningStandIn> {
  // Named through a variable: the type checker would follow the import into those files too.
  const server = "../realtime-stand-in/server.ts";
  const { startRealtimeStandIn } = (await import(server)) as {
    startRealtimeStandIn(o: { appId: string; secret: string; engine: WeriftEngine }): Promise<Omit<RunningStandIn, "engine">>;
  };
  const engine = new WeriftEngine();
  const running = await startRealtimeStandIn({ appId, secret, engine });
  return { ...running, engine };
}
