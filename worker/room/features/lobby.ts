// The lobby ("ask to join"): a join the gate (gate.ts) sends here waits as a knock. The knocker's
// socket gets `lobby {hostPresent}` and nothing else about the room; those who may admit (hosts,
// cohosts, temporary hosts) get `knock`. `admit` turns a knock into a join (a seat, credentials
// minted, the welcome on the knocker's socket); `deny` refuses it, and the knocker may knock again
// after KNOCK_RETRY_MS, from the same socket. A second denial blocks the browser (its `device`
// id, or its address without one) for as long as the room remembers (ACCESS_MEMORY_MS). A knock
// nobody answers expires after KNOCK_LIFE_MS; a knocker that leaves or drops is gone at once.

import { CloseCode, LIMITS, PROTOCOL_VERSION } from "../../../protocol/protocol";
import { error, refuse, SCHEDULE, sendKnocks, sendSelf, sendTo, type Effect, type JoinMessage } from "../effects";
import type { MemberHandler, MessageOf } from "../handler";
import type { StoredKnock, Via } from "../ports";
import { knockInfo, type RoomState } from "../state";
import { fullError, mintSeat, vacancies } from "./seats";

/** A knock nobody answers is closed with 4412 after this long. */
export const KNOCK_LIFE_MS = 10 * 60_000;
/** After a denial, the same browser may knock again after this long (`denied.retryAfterMs`). */
export const KNOCK_RETRY_MS = 30_000;
/** Denials that block a browser. */
export const DENIALS_TO_BLOCK = 2;
/**
 * How long the room remembers a denial or a removal. "The room's life" in practice: a room is
 * deleted 24 hours after it stands empty, and the memory must not grow without bound in a room
 * that never does.
 */
export const ACCESS_MEMORY_MS = 24 * 3_600_000;

/** What denials are counted against: the browser's lobby id, or its address when it sent none. */
export const deviceKey = (device: string | null, addr: string | null): string => (device !== null ? `device:${device}` : `addr:${addr ?? "unknown"}`);

/** The knock's join, as it will be replayed when a host admits it. */
function joinOf(k: StoredKnock): JoinMessage {
  return {
    type: "join",
    v: PROTOCOL_VERSION,
    name: k.name,
    media: k.media,
    ...(k.since !== null ? { since: k.since } : {}),
    ...(k.device !== null ? { device: k.device } : {}),
  };
}

/** A denied browser: refused, and closed for good (4406). */
export const knockBlocked = (): Effect[] => [
  error("knock-blocked", "a host denied this browser twice: it cannot knock in this room again"),
  { kind: "close", code: CloseCode.KnockBlocked, reason: "denied twice" },
];

/** The join waits in the lobby. `denials`: this browser's so far, as the gate read them. */
export function knock(room: RoomState, msg: JoinMessage, via: Via, denials: { count: number; last: number } | null): Effect[] {
  const now = room.deps.now();
  // Knocking again too soon after a denial: told how long is left, as the denial said.
  if (denials !== null && now - denials.last < KNOCK_RETRY_MS) {
    return [sendSelf({ type: "denied", blocked: false, retryAfterMs: KNOCK_RETRY_MS - (now - denials.last) }), { kind: "strike" }];
  }
  if (room.knocks.size >= LIMITS.maxKnocks) {
    return [error("room-full", `the lobby is full (${LIMITS.maxKnocks} waiting)`), { kind: "close", code: CloseCode.RoomFull, reason: "lobby full" }];
  }
  const k: StoredKnock = { id: room.freshKnockId(), name: msg.name, media: msg.media, device: msg.device ?? null, addr: via.addr, at: now, since: msg.since ?? null };
  room.addKnock(k);
  const admitters = room.admitters();
  return [
    { kind: "bind-knock", knock: k.id },
    sendSelf({ type: "lobby", hostPresent: admitters.length > 0 }),
    sendTo(admitters, { type: "knock", knock: knockInfo(k) }),
    // Its expiry is a deadline.
    SCHEDULE,
  ];
}

export const admitKnocks: MemberHandler<MessageOf<"admit">> = {
  who: "admit",
  run(room, _from, msg) {
    const effects: Effect[] = [];
    const unknown: string[] = [];
    // Seats are counted here too, so that an "admit all" does not mint for more than fit; the
    // welcome checks again (a join may take a seat while the credentials are minted). On a stage
    // a knock becomes a viewer: the audience's seats are what count.
    let seats = vacancies(room);
    let waiting = 0;
    const drawn = new Set<string>();
    for (const id of new Set(msg.knocks)) {
      const k = room.knocks.get(id);
      if (!k) {
        unknown.push(id);
        continue;
      }
      if (seats <= 0) {
        waiting++;
        continue;
      }
      seats--;
      room.dropKnock(id);
      const peerId = room.freshId(drawn);
      drawn.add(peerId);
      effects.push(sendTo(room.admitters(), { type: "knock-gone", id }), mintSeat(peerId, joinOf(k), { knock: id }));
    }
    // Not a refusal of the admitter: the knocks stay in the queue until a seat frees up.
    if (waiting > 0) {
      const full = fullError(room);
      effects.push(error(full.code, `${full.message}: ${waiting} still waiting`, full.limit));
    }
    if (unknown.length > 0) effects.push(...refuse("unknown-knock", `not waiting (admitted, denied, cancelled or expired): ${unknown.join(", ")}`));
    return effects;
  },
};

export const deny: MemberHandler<MessageOf<"deny">> = {
  who: "admit",
  run(room, _from, msg) {
    const k = room.dropKnock(msg.knock);
    if (!k) return refuse("unknown-knock", `not waiting (admitted, denied, cancelled or expired): ${msg.knock}`);
    const now = room.deps.now();
    const count = room.gate.addDenial(deviceKey(k.device, k.addr), now, now - ACCESS_MEMORY_MS);
    const blocked = count >= DENIALS_TO_BLOCK;
    const to = [k.id];
    const effects: Effect[] = [sendKnocks(to, { type: "denied", blocked, retryAfterMs: blocked ? 0 : KNOCK_RETRY_MS })];
    if (blocked) effects.push(sendKnocks(to, { type: "error", code: "knock-blocked", message: "a host denied this browser twice: it cannot knock in this room again" }));
    // Not blocked: the socket stays open, and may knock again (a new join) once the wait is over.
    effects.push(
      { kind: "end-knock", knock: k.id, close: blocked ? { code: CloseCode.KnockBlocked, reason: "denied twice" } : null },
      sendTo(room.admitters(), { type: "knock-gone", id: k.id }),
    );
    return effects;
  },
};

/** The knocker left, dropped, or was closed by the room: its knock is gone. */
export function knockGone(room: RoomState, id: string): Effect[] {
  return room.dropKnock(id) ? [sendTo(room.admitters(), { type: "knock-gone", id })] : [];
}

/** Knocks past their life: closed (4412), and the admitters told. */
export function expireKnocks(room: RoomState): Effect[] {
  const now = room.deps.now();
  const effects: Effect[] = [];
  for (const k of [...room.knocks.values()]) {
    if (now - k.at < KNOCK_LIFE_MS) continue;
    room.dropKnock(k.id);
    effects.push(
      { kind: "end-knock", knock: k.id, close: { code: CloseCode.JoinTimeout, reason: "nobody let you in within 10 minutes" } },
      sendTo(room.admitters(), { type: "knock-gone", id: k.id }),
    );
  }
  return effects;
}

/** When the oldest knock expires, or null. */
export function knockDeadline(room: RoomState): number | null {
  const oldest = room.knocks.values().next().value;
  return oldest ? oldest.at + KNOCK_LIFE_MS : null;
}
