// The crowd in the room (protocol/features/crowd.ts): crowd members do not hear of one another,
// and everyone hears how many they are. Handlers know nothing of it. After every step (a frame,
// a mint, a disconnect, the alarm) RoomCore passes the step's effects through `settleCrowd`,
// which
// - drops, from each frame about a member, the recipients that may not see it (the one place
//   where that is decided: `sees`), and filters the `peers` of a welcome;
// - tells members that came into or went out of each other's sight in this step, from the
//   flags the ledger noted as members were saved (features/crowd-ledger.ts);
// and `audienceDue` sends the count when it changed, at most once per AUDIENCE_EVERY_MS.
//
// Visibility is symmetric: two members see each other unless both are in the crowd. A frame
// about S reaches R only if R saw S before the step and sees it after: when that changed, the
// `peer-joined` (with S's current info) or the silent `peer-left` sent here supersedes it.

import { AUDIENCE_EVERY_MS, inCrowd, ROSTER_BATCH_MAX, type Mode, type RosterFrame, type ServerMessage } from "../../../protocol/protocol";
import { SCHEDULE, sendTo, type Effect, type Outgoing, type Target } from "../effects";
import type { StoredMember } from "../ports";
import { info, type RoomState } from "../state";

/** The member a frame is about, if it is about one (and so must not reach the rest of the crowd). */
export function subjectOf(msg: ServerMessage): string | null {
  switch (msg.type) {
    case "peer-joined":
      return msg.peer.id;
    case "peer-left":
    case "peer-presence":
    case "peer-renamed":
    case "peer-media":
    case "peer-role":
    case "peer-seat":
    case "peer-recording":
    case "peer-sfu":
      return msg.id;
    case "signal":
      return msg.from;
    default:
      return null;
  }
}

/** Each member's crowd flag before and after the step being settled. */
class Flags {
  private readonly mode: Mode;

  constructor(private readonly room: RoomState) {
    this.mode = room.mode.mode;
  }

  now(id: string): boolean {
    const m = this.room.members.get(id);
    return m ? inCrowd(this.mode, m) : (this.room.crowd.gone.get(id) ?? false);
  }

  before(id: string): boolean {
    const { before, gone } = this.room.crowd;
    return before.get(id) ?? gone.get(id) ?? this.now(id);
  }

  /** Whether `r` may hear a frame about `s` sent in this step: it saw `s` before and sees it now. */
  sees(r: string, s: string): boolean {
    if (r === s) return true;
    return !(this.before(r) && this.before(s)) && !(this.now(r) && this.now(s));
  }
}

/** Whether `from` may address `to` by id: false if both are in the crowd (answered as for an id not in the room). */
export function hiddenFrom(room: RoomState, from: StoredMember, to: StoredMember): boolean {
  const mode = room.mode.mode;
  return from.id !== to.id && inCrowd(mode, from) && inCrowd(mode, to);
}

/** The step's effects as the crowd allows them, then what came into and out of sight. `sender`: the member "self" is. */
export function settleCrowd(room: RoomState, sender: string | null, effects: Effect[]): Effect[] {
  if (!room.crowd.active) return effects;
  const flags = new Flags(room);
  const welcomed = new Set<string>();
  const out: Effect[] = [];
  for (const e of effects) {
    if (e.kind !== "send") out.push(e);
    else {
      const kept = filtered(flags, sender, e.to, e.msg, welcomed);
      if (kept) out.push(kept);
    }
  }
  out.push(...inAndOutOfSight(room, flags, welcomed));
  room.crowd.closeStep();
  return out;
}

function filtered(flags: Flags, sender: string | null, to: Target, msg: Outgoing, welcomed: Set<string>): Effect | null {
  if (msg.type === "welcome") {
    // A welcome is a snapshot: the peers this member sees now.
    const you = msg.you.id;
    welcomed.add(you);
    const peers = msg.peers.filter((p) => !(flags.now(you) && flags.now(p.id)));
    return { kind: "send", to, msg: peers.length === msg.peers.length ? msg : { ...msg, peers } };
  }
  const subject = subjectOf(msg);
  if (subject === null || (!flags.before(subject) && !flags.now(subject))) return { kind: "send", to, msg };
  if (to === "self") return sender === null || flags.sees(sender, subject) ? { kind: "send", to, msg } : null;
  if (!Array.isArray(to)) return { kind: "send", to, msg };
  const ids = to.filter((r) => flags.sees(r, subject));
  return ids.length ? sendTo(ids, msg) : null;
}

/**
 * For each member whose flag changed: whom it now sees or no longer sees, each pair told once,
 * both ways. The mover learns the others in `roster` batches; the others learn the mover in one
 * frame each (shared, so the fan-out serialises it once). Away members hear nothing (their
 * resume's welcome is a fresh snapshot), nor do members welcomed in this step.
 */
function inAndOutOfSight(room: RoomState, flags: Flags, welcomed: ReadonlySet<string>): Effect[] {
  const effects: Effect[] = [];
  const done = new Set<string>();
  const present = (m: StoredMember) => m.awaySince === null && !welcomed.has(m.id);
  for (const [id, was] of room.crowd.before) {
    const mover = room.members.get(id);
    if (!mover) continue;
    const is = flags.now(id);
    const learns: RosterFrame[] = [];
    const toldJoined: string[] = [];
    const toldLeft: string[] = [];
    for (const other of room.members.values()) {
      if (other.id === id || done.has(other.id)) continue;
      const saw = !(was && flags.before(other.id));
      const sees = !(is && flags.now(other.id));
      if (saw === sees) continue;
      learns.push(sees ? { type: "peer-joined", peer: info(other), crowd: true } : { type: "peer-left", id: other.id, crowd: true });
      if (present(other)) (sees ? toldJoined : toldLeft).push(other.id);
    }
    done.add(id);
    if (toldJoined.length) effects.push(sendTo(toldJoined, { type: "peer-joined", peer: info(mover), crowd: true }));
    if (toldLeft.length) effects.push(sendTo(toldLeft, { type: "peer-left", id, crowd: true }));
    if (present(mover)) {
      for (let i = 0; i < learns.length; i += ROSTER_BATCH_MAX) {
        const frames = learns.slice(i, i + ROSTER_BATCH_MAX);
        effects.push(sendTo([id], frames.length === 1 ? frames[0]! : { type: "roster", frames }));
      }
    }
  }
  return effects;
}

/**
 * The count, to everyone present, if it changed and the last went AUDIENCE_EVERY_MS ago or more;
 * if it changed sooner, the alarm is set for when it may go (audienceDeadline).
 */
export function audienceDue(room: RoomState): Effect[] {
  const ledger = room.crowd;
  if (ledger.sent === ledger.count) return [];
  const now = room.deps.now();
  if (now < ledger.sentAt + AUDIENCE_EVERY_MS) return [SCHEDULE];
  ledger.sent = ledger.count;
  ledger.sentAt = now;
  const to = room.present().map((m) => m.id);
  return to.length ? [sendTo(to, { type: "audience", count: ledger.count })] : [];
}

/** When a held count may go, or null when none is held. */
export function audienceDeadline(room: RoomState): number | null {
  const ledger = room.crowd;
  return ledger.sent === ledger.count ? null : ledger.sentAt + AUDIENCE_EVERY_MS;
}
