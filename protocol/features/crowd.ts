// The crowd: on a stage, the audience is a count, not a list (issue #16: "a stage with up to
// 1,000 viewers"). Telling every viewer of every other is O(n²) roster frames and a welcome that
// grows with the room (175 KB at 950 members); a livestream's viewers see the stage and how many
// watch, as on YouTube Live or Meet's livestream.
//
// CONTRACT (session 11, added by the crowd's helper):
// - A member is IN THE CROWD when the room is a stage, its seat is "viewer", its role is "member"
//   (not host, cohost or temp-host: those manage the room and see it whole), and it is not
//   recording (a recorder is never anonymous: features/recording.ts). `inCrowd` below is the one
//   definition, for the room and the client alike.
// - A crowd member learns nothing of OTHER crowd members: the welcome's `peers` leave them out,
//   and no frame about one reaches it (peer-joined, peer-left, peer-presence, peer-media,
//   peer-renamed, peer-role, peer-seat, peer-recording, peer-sfu; alone or in a `roster` batch).
//   It still learns everything about itself and about members outside the crowd; everyone outside
//   the crowd learns everything, as before. Chat and reactions still reach everyone: a chat
//   message carries its sender's name, and a reaction's sender may be an id the client does not
//   know (it shows the reaction without a name). `stage.hands` may list ids a crowd member does
//   not know: its client skips them.
// - Addressing another crowd member by id (`signal`, `file-offer`) is answered as for an id that is
//   not in the room ("unknown-peer"; a signal without a strike, as signals in flight when seats
//   change meet it in the normal course).
// - Visibility changes: when a member leaves the crowd (moved onto the stage, made cohost,
//   starts recording, the stage becomes a meeting), each crowd member that did not know it gets
//   `peer-joined {peer, crowd: true}` with its current info, and it gets one for every crowd
//   member, in `roster` batches of at most ROSTER_BATCH_MAX. When a member enters the crowd, the
//   crowd members get `peer-left {id, crowd: true}` for it, and it gets one for each of them
//   (batched likewise). `crowd: true` means "came into sight" or "went out of sight", not an
//   arrival or a departure: a client adds or removes the peer without announcing it. Frames about a member whose visibility changed in the same step are
//   superseded by these (the `peer-joined` carries its current info).
// - The count: `audience {count}` is the number of crowd members (away ones included, as the
//   roster includes them); the welcome carries it as `audience`. The room sends the frame to every
//   present member when the count changed, at most once per AUDIENCE_EVERY_MS: a change within that
//   time of the last frame waits for the room's alarm, so a thousand joins cost a frame per member
//   every two seconds, not a frame per member per join. In a meeting the count is 0.

import { isIntIn, type ServerValidators } from "../wire";
import type { Role } from "./access";
import type { RecordingInfo } from "./recording";
import type { Mode, Seat } from "./stage";

/** Shortest time between two `audience` frames. */
export const AUDIENCE_EVERY_MS = 2000;
/** Largest count a client accepts: far past any stage (settings.stageViewers ≤ 1000), so a count never wraps or overflows a label. */
export const AUDIENCE_MAX = 100_000;

/** What the crowd predicate reads of a member: PeerInfo and the room's stored member both have it. */
export interface CrowdTraits {
  role: Role;
  seat: Seat;
  recording: RecordingInfo | null;
}

/** Whether a member is in the crowd: anonymous to the rest of the crowd (see the contract above). */
export const inCrowd = (mode: Mode, m: CrowdTraits): boolean => mode === "stage" && m.seat === "viewer" && m.role === "member" && m.recording === null;

export type CrowdServerMessage =
  /** To everyone, at most once per AUDIENCE_EVERY_MS when it changed: how many are in the crowd. */
  { type: "audience"; count: number };

export const isAudienceCount = (v: unknown): v is number => isIntIn(v, 0, AUDIENCE_MAX);

export const crowdServer: ServerValidators<CrowdServerMessage> = {
  audience: (v) => (isAudienceCount(v.count) ? { type: "audience", count: v.count } : null),
};
