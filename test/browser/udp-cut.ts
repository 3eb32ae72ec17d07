// Cutting every UDP packet under a call, for the tests that must see WebRTC lose its path:
// `context.setOffline` does not touch WebRTC, so the cut is an nftables rule dropping incoming
// UDP, made only inside the private network namespace the browser suite runs in
// (test/browser/netns.sh). Signaling and the local runtime use TCP and keep working.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const TABLE = "roomlink_cut";

/** Refuses to go on outside a namespace whose only link is loopback: the rule must never reach a real machine's firewall. */
export function assertPrivateNamespace(): void {
  const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).trim().split("\n");
  assert.ok(links.length === 1 && / lo:/.test(links[0]!), `refusing to touch the firewall outside a private network namespace: ${links.join(" | ")}`);
}

export function cutUdp(): void {
  assertPrivateNamespace();
  execFileSync("nft", ["-f", "-"], {
    input: [`table inet ${TABLE} {`, "  chain c {", "    type filter hook input priority -10; policy accept;", "    meta l4proto udp drop", "  }", "}", ""].join("\n"),
  });
}

export function restoreUdp(): void {
  try {
    execFileSync("nft", ["delete", "table", "inet", TABLE], { stdio: "ignore" });
  } catch {
    // Not there: nothing to restore.
  }
}
