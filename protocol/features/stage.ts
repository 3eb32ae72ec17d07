// Stage: a room mode for one or a few people broadcasting to an audience (the streaming app).
//
// - A room is a "meeting" (everyone a speaker, as before) or a "stage". The creator picks it
//   (`POST /api/rooms {"mode": "stage"}`), and a host or cohost may switch it later.
// - On a stage, every member has a seat: "speaker" (publishes camera, mic and screen; speakers
//   form a mesh among themselves) or "viewer" (publishes nothing, receives every speaker on
//   receive-only connections, and has no connection to other viewers). Host-key holders join as
//   speakers; everyone else joins as a viewer. At most MAX_SPEAKERS speakers at once.
// - A host or cohost moves a viewer onto the stage (`set-seat` speaker) or back (`set-seat`
//   viewer); a speaker may step down itself (`leave-stage`). A viewer cannot promote itself; a
//   host or cohost may seat itself, as it may seat anyone (a host who stepped down comes back).
//   A speaker moved back may take the audience past `settings.stageViewers`, by at most
//   MAX_SPEAKERS: nobody already in is put out for it.
// - Being moved onto the stage is an invitation: the member's client turns nothing on until the
//   person accepts (a host must not be able to put anyone on camera); declining is `leave-stage`.
// - Anyone may raise a hand; the room keeps the hands in the order raised, in the welcome, so a
//   late joiner sees them. Being moved onto the stage lowers the hand. A host or cohost may lower
//   every hand at once (`lower-hands`: "thanks, we got to everyone"), in a meeting too.
// - The room relays a viewer's signals to speakers only, and refuses a viewer's `media` frame
//   that turns anything on ("not-on-stage"). In a meeting every member's seat is "speaker".
// - How many viewers get video is the speaker's call (its upload budget and CPU, measured in the
//   browser); it tells a viewer it sends audio only with a `tier` signal (features/signal.ts).
//   How many viewers get in at all is the room's: `settings.stageViewers`, then "stage-full".

import { LIMITS } from "../limits";
import { bad, type ClientValidators, isBool, isObj, isOneOf, isPeerId, isTime, listOf, ok, type ServerValidators } from "../wire";

export const MODES = ["meeting", "stage"] as const;
export type Mode = (typeof MODES)[number];
export const isMode = (v: unknown): v is Mode => isOneOf(MODES, v);

export const SEATS = ["speaker", "viewer"] as const;
export type Seat = (typeof SEATS)[number];
export const isSeat = (v: unknown): v is Seat => isOneOf(SEATS, v);

/** Speakers on one stage at once: the host plus three it invites. Each speaker encodes a copy per member. */
export const MAX_SPEAKERS = 4;

/** How the room runs, as everyone knows it (in the welcome, and in `stage` on every change). */
export interface StageState {
  mode: Mode;
  /** Raised hands, oldest first (peer ids). */
  hands: string[];
  /** When the room last became a stage (ms since the epoch), for "live for 12:34"; null in a meeting. */
  liveSince: number | null;
}

export type StageClientMessage =
  /** Host or cohost: make the room a meeting or a stage. */
  | { type: "set-mode"; mode: Mode }
  /** Host or cohost, on a stage: move a member onto the stage ("speaker") or back ("viewer"). */
  | { type: "set-seat"; id: string; seat: Seat }
  /** A speaker, on a stage: step down to the audience. */
  | { type: "leave-stage" }
  /** Any member: raise or lower its own hand. */
  | { type: "hand"; up: boolean }
  /** Host or cohost: lower every raised hand. */
  | { type: "lower-hands" };

export type StageServerMessage =
  /** To everyone: the mode or the hands changed. */
  | { type: "stage"; stage: StageState }
  /** To everyone: a member's seat changed (a mode switch sends one per member whose seat changed). */
  | { type: "peer-seat"; id: string; seat: Seat };

export const STAGE_ERRORS = [
  /** A viewer tried to publish (a `media` frame turning something on) or to signal another viewer. */
  "not-on-stage",
  /** The stage has `settings.stageViewers` viewers: no more get in. Followed by a close (4409). */
  "stage-full",
  /** A `set-seat` speaker while MAX_SPEAKERS are on the stage. */
  "speakers-full",
  /** A stage-only frame (`set-seat`, `leave-stage`) in a meeting, or `leave-stage` from a viewer. */
  "not-stage",
] as const;

export function stageState(v: unknown): StageState | null {
  if (!isObj(v) || !isMode(v.mode)) return null;
  const hands = listOf(v.hands, (x) => (isPeerId(x) ? x : null));
  // At most everyone in the largest room: 1000 (the settings' top) viewers and the speakers.
  if (!hands || hands.length > 1000 + MAX_SPEAKERS) return null;
  const liveSince = v.liveSince;
  if (liveSince !== null && !isTime(liveSince)) return null;
  return { mode: v.mode, hands, liveSince };
}

export const stageClient: ClientValidators<StageClientMessage, never> = {
  "set-mode": (v) => (isMode(v.mode) ? ok({ type: "set-mode", mode: v.mode }) : bad("set-mode", '`mode` must be "meeting" or "stage"')),
  "set-seat": (v) => {
    if (!isPeerId(v.id)) return bad("set-seat", `\`id\` must be a peer id (1–${LIMITS.peerIdMaxChars} characters)`);
    if (!isSeat(v.seat)) return bad("set-seat", '`seat` must be "speaker" or "viewer"');
    return ok({ type: "set-seat", id: v.id, seat: v.seat });
  },
  "leave-stage": () => ok({ type: "leave-stage" }),
  hand: (v) => (isBool(v.up) ? ok({ type: "hand", up: v.up }) : bad("hand", "`up` must be a boolean")),
  "lower-hands": () => ok({ type: "lower-hands" }),
};

export const stageServer: ServerValidators<StageServerMessage> = {
  stage: (v) => {
    const stage = stageState(v.stage);
    return stage ? { type: "stage", stage } : null;
  },
  "peer-seat": (v) => (isPeerId(v.id) && isSeat(v.seat) ? { type: "peer-seat", id: v.id, seat: v.seat } : null),
};
