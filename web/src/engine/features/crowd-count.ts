// On a big stage a plain viewer's roster lists the stage, not the audience (protocol/features/
// crowd.ts): the room sends a count instead. What the UI shows as "and 947 more in the audience"
// is that count less the crowd members the roster does list (this member itself, when it is one).
// A host's roster lists the whole crowd, so nothing is unlisted for it.

import { inCrowd, type CrowdTraits, type Mode } from "../../../../protocol/protocol";

/** Crowd members this member's roster does not list. Never negative: the count may lag the roster by up to AUDIENCE_EVERY_MS. */
export function unlistedCrowd(mode: Mode, audience: number, self: CrowdTraits, participants: readonly CrowdTraits[]): number {
  let listed = inCrowd(mode, self) ? 1 : 0;
  for (const p of participants) if (inCrowd(mode, p)) listed++;
  return Math.max(0, audience - listed);
}
