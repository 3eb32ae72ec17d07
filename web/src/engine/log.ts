// A small typed logger, quiet unless `localStorage.roomlinkDebug` is set: state worth seeing
// belongs in the UI (and in tests), not in the console.

export type LogEvent =
  | { event: "signaling"; status: string; detail?: string }
  | { event: "negotiation"; peer: string; step: string; detail?: string }
  | { event: "peer-state"; peer: string; state: string }
  | { event: "media"; step: string; detail?: string }
  | { event: "stats"; peer: string; step: string; detail?: string }
  | { event: "check"; probe: string; detail?: string }
  | { event: "files"; peer: string; step: string; detail?: string }
  | { event: "safety"; step: string; detail?: string };

let enabled = false;
try {
  enabled = typeof localStorage !== "undefined" && localStorage.getItem("roomlinkDebug") !== null;
} catch {
  // Storage can be blocked (privacy mode, sandboxed frames); stay quiet.
}

export function log(e: LogEvent): void {
  if (enabled) console.debug("[roomlink]", e);
}
