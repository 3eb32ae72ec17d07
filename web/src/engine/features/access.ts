// Who runs the room and who gets in, as this member sees it: its own role and the others' (the
// roster carries theirs), the room's access (lobby, lock, passcode), the lobby's queue for those
// who may admit, a host's request to mute, and the host actions themselves. Each action is sent
// only by a role that has the power (powers.ts); the room checks again and answers `forbidden`.

import type { AccessState, ClientMessage, ErrorCode, Knock, Role, ServerMessage } from "../../../../protocol/protocol";
import type { LocalMedia } from "../media/local-media";
import type { StateUpdate } from "../session/session-state";
import { can, canManage } from "./powers";
import type { Roster } from "./roster";

type Msg<K extends ServerMessage["type"]> = Extract<ServerMessage, { type: K }>;

/** A host asked us to mute: who (their id, and their name when it came), and when. */
export interface MuteRequest {
  by: string;
  name: string;
  at: number;
}

/**
 * What a host action came back with that the person should read: the knock was gone, the role
 * lacked the power, the stage already had its speakers (MAX_SPEAKERS), or the room was no longer
 * a stage (it became a meeting meanwhile).
 */
export type AccessNotice = "knock-gone" | "forbidden" | "speakers-full" | "not-stage";

export class AccessFeature {
  private role: Role = "member";
  private knocks: Knock[] = [];

  constructor(
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly roster: Pick<Roster, "patch" | "participants">,
    private readonly media: Pick<LocalMedia, "setMic">,
    private readonly selfId: () => string | null,
    private readonly update: StateUpdate<"role" | "access" | "knocks" | "muteRequest" | "accessNotice">,
  ) {}

  welcome(msg: Msg<"welcome">): void {
    this.role = msg.you.role;
    this.knocks = can(this.role, "admit") ? [...msg.knocks] : [];
    this.update({ role: this.role, access: msg.access, knocks: this.knocks });
  }

  access(msg: Msg<"access">): void {
    this.update({ access: msg.access });
  }

  knock(msg: Msg<"knock">): void {
    if (!can(this.role, "admit")) return;
    this.setKnocks([...this.knocks.filter((k) => k.id !== msg.knock.id), msg.knock]);
  }

  knockGone(msg: Msg<"knock-gone">): void {
    this.setKnocks(this.knocks.filter((k) => k.id !== msg.id));
  }

  peerRole(msg: Msg<"peer-role">): void {
    if (msg.id !== this.selfId()) return this.roster.patch(msg.id, { role: msg.role });
    this.role = msg.role;
    this.update({ role: msg.role });
    // No longer one who admits (a temp-host giving way to a host): the queue is not ours to show.
    if (!can(msg.role, "admit")) this.setKnocks([]);
  }

  /** A host asked us to mute: the mic goes off here (nobody can turn it on from elsewhere). */
  muteRequest(msg: Msg<"mute-request">): void {
    void this.media.setMic(false);
    const name = this.roster.participants.find((p) => p.id === msg.by)?.name ?? "";
    this.update({ muteRequest: { by: msg.by, name, at: Date.now() } });
  }

  /** An error frame from the room; the access feature acts on the ones about host actions. */
  error(code: ErrorCode): void {
    if (code === "unknown-knock") this.update({ accessNotice: "knock-gone" });
    else if (code === "forbidden" || code === "speakers-full" || code === "not-stage") this.update({ accessNotice: code });
  }

  dismissNotices(): void {
    this.update({ muteRequest: null, accessNotice: null });
  }

  admit(ids: readonly string[]): boolean {
    const knocks = ids.filter((id) => this.knocks.some((k) => k.id === id));
    return knocks.length > 0 && this.act("admit", { type: "admit", knocks });
  }

  admitAll(): boolean {
    return this.admit(this.knocks.map((k) => k.id));
  }

  deny(knock: string): boolean {
    return this.knocks.some((k) => k.id === knock) && this.act("admit", { type: "deny", knock });
  }

  /** Lobby, lock and recording (host or co-host); the passcode (host only): a string sets it, null clears it. */
  setAccess(patch: { lobby?: boolean; locked?: boolean; passcode?: string | null; recording?: boolean }): boolean {
    if (patch.passcode !== undefined && !can(this.role, "passcode")) return false;
    if ((patch.lobby !== undefined || patch.locked !== undefined || patch.recording !== undefined) && !can(this.role, "access")) return false;
    return this.send({ type: "access", ...patch });
  }

  setRole(id: string, role: "cohost" | "member"): boolean {
    return canManage(this.role, this.roleOf(id)) && this.act("set-role", { type: "set-role", id, role });
  }

  remove(id: string): boolean {
    return canManage(this.role, this.roleOf(id)) && this.act("remove", { type: "remove", id });
  }

  askMute(id: string): boolean {
    return this.act("ask-mute", { type: "ask-mute", id });
  }

  endMeeting(): boolean {
    return this.act("end-meeting", { type: "end-meeting" });
  }

  private act(power: Parameters<typeof can>[1], msg: ClientMessage): boolean {
    return can(this.role, power) && this.send(msg);
  }

  private roleOf(id: string): Role {
    return this.roster.participants.find((p) => p.id === id)?.role ?? "member";
  }

  private setKnocks(knocks: Knock[]) {
    this.knocks = knocks;
    this.update({ knocks });
  }
}

export type { AccessState, Knock, Role };
