// Access: who runs the room and who gets in, on the link alone (no accounts).
//
// - Hosts. `POST /api/rooms` returns a host key (128 random bits; the room keeps only its hash).
//   A join presenting it makes the member a "host". A host can make another member a "cohost",
//   with the same powers except changing the passcode. If no host or cohost is in the room for
//   60 s while others are, the member present longest becomes a "temp-host": it can admit, deny
//   and ask to mute, nothing else, and gives way as soon as a host is back.
// - The lobby ("ask to join"). While it is on, a join that does not hold the host key is a knock:
//   the knocker gets `lobby` (and nothing about the room), every host gets `knock`, and a host's
//   `admit` turns the knock into a join (credentials minted, then the welcome) or `deny` refuses
//   it. Knocks expire after 10 minutes. Two denials block that browser (its `device` id) for the
//   room's life.
// - A passcode, checked at join (before the lobby) for everyone without the host key; five wrong
//   ones per 10 minutes from an address, then a lockout.
// - A lock: nobody new gets in, not even to the lobby, except host-key holders.
// - Host actions: remove a member (4403; it cannot come back without being admitted), ask a
//   member to mute, end the meeting for everyone (4405).

import { LIMITS } from "../limits";
import {
  bad,
  type ClientValidators,
  isBool,
  isObj,
  isOneOf,
  isPeerId,
  isSeq,
  isString,
  isTime,
  listOf,
  ok,
  type ServerValidators,
} from "../wire";

/** A member's standing. "temp-host" stands in while no host is present (see above). */
export const ROLES = ["member", "host", "cohost", "temp-host"] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (v: unknown): v is Role => isOneOf(ROLES, v);

/**
 * Which roles hold each level of power: the one table both sides read. The room checks a frame's
 * level before its handler runs; the web app offers a control only to a role that holds its level.
 * - "member": any joined member;
 * - "admit": admit, deny, ask to mute (a host, cohost or temporary host);
 * - "manage": lobby and lock, roles, remove, end the meeting (a host or cohost);
 * - "owner": the passcode (a host, i.e. a holder of the room's host key).
 */
export const GRANTS = {
  member: ["member", "host", "cohost", "temp-host"],
  admit: ["host", "cohost", "temp-host"],
  manage: ["host", "cohost"],
  owner: ["host"],
} as const satisfies Record<string, readonly Role[]>;
export type PowerLevel = keyof typeof GRANTS;

/** Whether a member with `role` holds `level`. */
export const holds = (role: Role, level: PowerLevel): boolean => (GRANTS[level] as readonly Role[]).includes(role);

/** Longest passcode a host may set (characters). */
export const PASSCODE_MAX_CHARS = 64;
/** A browser's random id for the lobby (kept in localStorage): what two denials block. */
export const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** A host key: 16 random bytes in base64url. */
export const HOST_KEY = /^[A-Za-z0-9_-]{22}$/;

/** What everyone in the room knows about how it is entered (never the passcode or its hash). */
export interface AccessState {
  /** "Ask to join": newcomers without the host key knock and wait. */
  lobby: boolean;
  /** Nobody new gets in, not even to the lobby, except host-key holders. */
  locked: boolean;
  /** Joining needs a passcode (unless the host key is presented). */
  passcode: boolean;
  /** Members may record (features/recording.ts); true unless a host or cohost turned it off. */
  recording: boolean;
}

/** A newcomer waiting in the lobby, as hosts see it. */
export interface Knock {
  /** The knock's id (not a peer id: the knocker is not a member yet). */
  id: string;
  name: string;
  /** When it knocked (ms since the epoch); it expires 10 minutes later. */
  at: number;
}

export type AccessClientMessage =
  /** Host or cohost (lobby, lock and recording); host only for the passcode. Omitted fields are unchanged. */
  | { type: "access"; lobby?: boolean; locked?: boolean; passcode?: string | null; recording?: boolean }
  /** Host, cohost or temp-host: let these knocks in (all of them with `all: true`). */
  | { type: "admit"; knocks: string[] }
  /** Host, cohost or temp-host. */
  | { type: "deny"; knock: string }
  /** Host or cohost: make a member a cohost, or a cohost a member again. */
  | { type: "set-role"; id: string; role: "cohost" | "member" }
  /** Host or cohost: remove a member (closed with 4403; back only through the lobby). */
  | { type: "remove"; id: string }
  /** Host, cohost or temp-host: ask a member to turn its mic off (nobody can turn it on). */
  | { type: "ask-mute"; id: string }
  /** Host or cohost: everyone's socket is closed with 4405. */
  | { type: "end-meeting" };

export type AccessServerMessage =
  /** To a knocker: it waits; `hostPresent` false means no host can let it in right now. */
  | { type: "lobby"; hostPresent: boolean }
  /** To a knocker: refused. After the second denial `blocked` is true (for the room's life). */
  | { type: "denied"; blocked: boolean; retryAfterMs: number }
  /** To hosts, cohosts and temp-hosts: someone knocks. */
  | { type: "knock"; knock: Knock }
  /** To hosts, cohosts and temp-hosts: a knock was admitted, denied, cancelled or expired. */
  | { type: "knock-gone"; id: string }
  /** To everyone: lobby, lock or passcode changed. */
  | { type: "access"; access: AccessState }
  /** To everyone: a member's role changed. */
  | { type: "peer-role"; id: string; role: Role }
  /** To one member: a host asks it to mute (its mic goes off, with a notice naming who asked). */
  | { type: "mute-request"; by: string };

export const ACCESS_ERRORS = [
  /** The room needs a passcode and this join has none or a wrong one; `message` says how many tries are left. */
  "bad-passcode",
  /** Too many wrong passcodes from this address: `message` says when it may try again. */
  "passcode-locked",
  /** The room is locked. Followed by a close (4423). */
  "room-locked",
  /** An admit or deny for a knock that is not waiting (admitted, denied, cancelled or expired). */
  "unknown-knock",
  /** This browser was denied twice: it cannot knock again in this room. Followed by a close (4406). */
  "knock-blocked",
] as const;

export const accessClient: ClientValidators<AccessClientMessage, never> = {
  access: (v) => {
    const out: AccessClientMessage & { type: "access" } = { type: "access" };
    if (v.lobby !== undefined) {
      if (!isBool(v.lobby)) return bad("access", "`lobby` must be a boolean");
      out.lobby = v.lobby;
    }
    if (v.locked !== undefined) {
      if (!isBool(v.locked)) return bad("access", "`locked` must be a boolean");
      out.locked = v.locked;
    }
    if (v.recording !== undefined) {
      if (!isBool(v.recording)) return bad("access", "`recording` must be a boolean");
      out.recording = v.recording;
    }
    if (v.passcode !== undefined) {
      const p = v.passcode;
      if (p !== null && (!isString(p) || p.length === 0 || [...p].length > PASSCODE_MAX_CHARS)) {
        return bad("access", `\`passcode\` must be null or 1–${PASSCODE_MAX_CHARS} characters`);
      }
      out.passcode = p;
    }
    return ok(out);
  },
  admit: (v) => {
    const knocks = listOf(v.knocks, (x) => (isPeerId(x) ? x : null));
    if (!knocks || knocks.length === 0 || knocks.length > LIMITS.maxKnocks) return bad("admit", `\`knocks\` must be 1–${LIMITS.maxKnocks} knock ids`);
    return ok({ type: "admit", knocks });
  },
  deny: (v) => (isPeerId(v.knock) ? ok({ type: "deny", knock: v.knock }) : bad("deny", "`knock` must be a knock id")),
  "set-role": (v) =>
    isPeerId(v.id) && (v.role === "cohost" || v.role === "member") ? ok({ type: "set-role", id: v.id, role: v.role }) : bad("set-role", "`id` must be a peer id and `role` cohost or member"),
  remove: (v) => (isPeerId(v.id) ? ok({ type: "remove", id: v.id }) : bad("remove", "`id` must be a peer id")),
  "ask-mute": (v) => (isPeerId(v.id) ? ok({ type: "ask-mute", id: v.id }) : bad("ask-mute", "`id` must be a peer id")),
  "end-meeting": () => ok({ type: "end-meeting" }),
};

export function accessState(v: unknown): AccessState | null {
  if (!isObj(v) || !isBool(v.lobby) || !isBool(v.locked) || !isBool(v.passcode) || !isBool(v.recording)) return null;
  return { lobby: v.lobby, locked: v.locked, passcode: v.passcode, recording: v.recording };
}

export function knock(v: unknown): Knock | null {
  if (!isObj(v) || !isPeerId(v.id) || !isString(v.name) || !isTime(v.at)) return null;
  return { id: v.id, name: v.name, at: v.at };
}

export const accessServer: ServerValidators<AccessServerMessage> = {
  lobby: (v) => (isBool(v.hostPresent) ? { type: "lobby", hostPresent: v.hostPresent } : null),
  denied: (v) => (isBool(v.blocked) && isSeq(v.retryAfterMs) ? { type: "denied", blocked: v.blocked, retryAfterMs: v.retryAfterMs } : null),
  knock: (v) => {
    const k = knock(v.knock);
    return k ? { type: "knock", knock: k } : null;
  },
  "knock-gone": (v) => (isPeerId(v.id) ? { type: "knock-gone", id: v.id } : null),
  access: (v) => {
    const access = accessState(v.access);
    return access ? { type: "access", access } : null;
  },
  "peer-role": (v) => (isPeerId(v.id) && isRole(v.role) ? { type: "peer-role", id: v.id, role: v.role } : null),
  "mute-request": (v) => (isPeerId(v.by) ? { type: "mute-request", by: v.by } : null),
};
