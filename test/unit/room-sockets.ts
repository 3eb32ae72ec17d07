// The room core driven as the Durable Object drives it, but synchronously and in memory: sockets
// that carry a member or a knock, effects carried out in order (frames delivered, sockets bound
// and closed), credentials "minted", host keys and passcodes "checked" and "hashed" at once. For
// unit tests of access (hosts, lobby, passcode, lock, host actions) that need more than one socket.

import { PROTOCOL_VERSION, type ClientMessage, type Mode, type ServerMessage } from "../../protocol/protocol";
import type { RoomCore } from "../../worker/room/core";
import type { CheckJoin, Effect, JoinChecked } from "../../worker/room/effects";
import type { Via } from "../../worker/room/ports";
import { ICE, makeRoom, media } from "./room-harness";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** The stand-in for SHA-256 of a host key and for a passcode's PBKDF2 record. */
export const hashOf = (key: string) => `sha:${key}`;
export const recordOf = (passcode: string) => `pbkdf2:${passcode}`;
export const HOST_KEY = "H".repeat(22);

/** What access/secrets.ts would answer, with the stand-ins above. */
function verify(check: CheckJoin): JoinChecked {
  const { hostKey, passcode } = check.join;
  const host = check.hostKey !== null && hostKey !== undefined && check.hostKey === hashOf(hostKey);
  return { host, passcode: !host && check.passcode !== null && passcode !== undefined && check.passcode === recordOf(passcode) };
}

export class FakeSocket {
  member: string | null = null;
  readonly via: Via;
  readonly frames: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  strikes = 0;

  constructor(readonly name: string, addr: string) {
    this.via = { knock: null, addr };
  }

  all<T extends ServerMessage["type"]>(type: T): Msg<T>[] {
    return this.frames.filter((f): f is Msg<T> => f.type === type);
  }

  last<T extends ServerMessage["type"]>(type: T): Msg<T> | undefined {
    return this.all(type).at(-1);
  }

  /** Error codes received, in order. */
  errors(): string[] {
    return this.all("error").map((e) => e.code);
  }

  get open(): boolean {
    return this.closed === null;
  }
}

export function makeSocketRoom(vars: Record<string, string> = {}, init: { lobby?: boolean; mode?: Mode } = {}) {
  const base = makeRoom(vars);
  const core: RoomCore = base.room;
  core.created({ hostKey: hashOf(HOST_KEY), lobby: init.lobby ?? false, mode: init.mode ?? "meeting" });
  const sockets: FakeSocket[] = [];
  const released: string[] = [];
  /** Voice recordings the room had the bucket delete, in order. */
  const deletedVoice: string[] = [];
  let opened = 0;

  const open = (name: string, addr = `addr-${name}`) => {
    const s = new FakeSocket(name, addr);
    opened++;
    sockets.push(s);
    return s;
  };

  const live = () => sockets.filter((s) => s.open);
  const byMember = (id: string) => live().find((s) => s.member === id);
  const byKnock = (id: string) => live().find((s) => s.via.knock === id);

  function shut(s: FakeSocket, code: number, reason: string) {
    s.member = null;
    s.via.knock = null;
    s.closed = { code, reason };
  }

  /** Carries out effects on behalf of `self`, as RoomDO.execute does. */
  function run(self: FakeSocket | null, effects: readonly Effect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case "send": {
          const to = e.to === "self" ? (self ? [self] : []) : "knocks" in e.to ? e.to.knocks.flatMap((k) => byKnock(k) ?? []) : e.to.flatMap((id) => byMember(id) ?? []);
          for (const s of to) if (s.open) s.frames.push(e.msg);
          break;
        }
        case "bind":
          if (self) {
            self.member = e.peerId;
            self.via.knock = null;
          }
          break;
        case "replace": {
          const old = byMember(e.peerId);
          if (old && old !== self) shut(old, 4410, "resumed on a newer connection");
          break;
        }
        case "unbind":
          if (self) self.member = null;
          break;
        case "close":
          if (self) shut(self, e.code, e.reason);
          break;
        case "expel":
          // As RoomDO.expel: the member leaves at once (no grace period).
          if (self) {
            const { member } = self;
            shut(self, e.code, e.reason);
            if (member) run(null, core.expel(member));
          }
          break;
        case "bind-knock":
          if (self) self.via.knock = e.knock;
          break;
        case "end-knock": {
          const s = byKnock(e.knock);
          if (s) {
            s.via.knock = null;
            if (e.close) shut(s, e.close.code, e.close.reason);
          }
          break;
        }
        case "close-peer": {
          const s = byMember(e.peerId);
          if (s) shut(s, e.code, e.reason);
          break;
        }
        case "close-all":
          for (const s of live()) shut(s, e.code, e.reason);
          break;
        case "mint-ice": {
          const target = e.then === "welcome" && e.knock !== undefined ? byKnock(e.knock) : self;
          if (target) run(target, core.minted(target.member, e, ICE, target.via));
          break;
        }
        case "check-join":
          if (self) run(self, core.checked(self.member, self.via, e, verify(e)));
          break;
        case "hash-passcode":
          run(null, core.passcodeHashed(e.seq, recordOf(e.passcode)));
          break;
        case "strike":
          if (self) self.strikes++;
          break;
        case "release-ice":
          released.push(e.peerId);
          break;
        case "delete-voice":
          deletedVoice.push(...e.keys);
          break;
        case "delete-files":
          break;
        case "schedule":
        case "delete-room":
          break;
        default:
          e satisfies never;
      }
    }
  }

  const send = (s: FakeSocket, msg: ClientMessage) => run(s, core.handle(s.member, msg, s.via));

  type JoinExtra = Partial<Pick<Extract<ClientMessage, { type: "join" }>, "hostKey" | "passcode" | "device" | "resume" | "since" | "media">>;
  /** Opens a socket (unless given one) and sends a join. */
  function join(name: string, extra: JoinExtra & { socket?: FakeSocket; addr?: string } = {}) {
    const { socket, addr, ...fields } = extra;
    const s = socket ?? open(name, addr);
    send(s, { type: "join", v: PROTOCOL_VERSION, name, media, ...fields });
    return s;
  }

  /** The socket's member id, from its welcome. */
  const idOf = (s: FakeSocket) => {
    const w = s.last("welcome");
    if (!w) throw new Error(`${s.name} has no welcome: ${JSON.stringify(s.frames.slice(-2))}`);
    return w.you.id;
  };

  /** The socket drops without a leave, as RoomDO.forget reports it. */
  function drop(s: FakeSocket) {
    const { member } = s;
    const { knock } = s.via;
    shut(s, 1006, "dropped");
    if (member) run(null, core.disconnect(member));
    else if (knock) run(null, core.knockClosed(knock));
  }

  /** The alarm, `ms` from now. */
  function alarm(ms = 0) {
    base.clock.now += ms;
    run(null, core.expire());
  }

  return { ...base, core, sockets, released, deletedVoice, open, send, join, idOf, drop, alarm, run, opened: () => opened };
}
