// How this device gets into the room: what its join carries (the host key, the passcode, the
// browser's lobby id) and where it stands on the way in. A state machine with named stages:
//
//   joining ──welcome──▶ in
//      │ ├──lobby──▶ waiting ──welcome (admitted)──▶ in
//      │ │             ├──denied──▶ denied ──knockAgain (after retryAfterMs)──▶ joining
//      │ │             ├──denied (second time)──▶ blocked (final)
//      │ │             └──closed 4412 (10 minutes passed)──▶ expired ──knockAgain──▶ joining
//      │ └──bad-passcode──▶ passcode ──submitPasscode──▶ joining
//      └──passcode-locked──▶ passcode-locked ──submitPasscode (after the lockout)──▶ joining
//
// In every stage but joining, waiting and in, the join is held: a socket that comes back by
// itself must not knock again after a denial, or try the same wrong passcode again.

import { CloseCode, type ErrorCode, type ServerMessage } from "../../../../protocol/protocol";
import type { StateUpdate } from "../session/session-state";
import type { JoinCredentials } from "../signaling/signaling-client";

export type Entry =
  /** The join is out (or waits for the socket); nothing has come back yet. */
  | { stage: "joining" }
  /** The room wants a passcode: none was given (`wrong` false) or a wrong one; `triesLeft` if the room said. */
  | { stage: "passcode"; wrong: boolean; triesLeft: number | null }
  /** Too many wrong passcodes from here: no try until `until` (ms since the epoch; null if the room did not say). */
  | { stage: "passcode-locked"; until: number | null }
  /** In the lobby; `hostPresent` false means nobody can let us in right now. */
  | { stage: "waiting"; hostPresent: boolean }
  /** A host said no; knocking again is possible from `retryAt`. */
  | { stage: "denied"; retryAt: number }
  /** Denied twice: this browser cannot knock in this room again. */
  | { stage: "blocked" }
  /** Nobody answered within 10 minutes. */
  | { stage: "expired" }
  | { stage: "in" };

const HOLDS: ReadonlySet<Entry["stage"]> = new Set(["passcode", "passcode-locked", "denied", "blocked", "expired"]);

export class EntryFeature {
  private entry: Entry = { stage: "joining" };
  /** The passcode to present: the one typed last, kept for the joins that follow (a reconnect). */
  private passcode: string | undefined;
  /** Whether the join in flight carried a passcode (so a bad-passcode means "wrong", not "needed"). */
  private sentPasscode = false;

  constructor(
    private readonly fixed: { hostKey?: string; device?: string },
    /** Sends the join again now (the socket is open and not joined). */
    private readonly rejoin: () => void,
    private readonly update: StateUpdate<"entry">,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): Entry {
    return this.entry;
  }

  /** What the next join carries, or null to hold it. */
  credentials(): JoinCredentials | null {
    if (HOLDS.has(this.entry.stage)) return null;
    this.sentPasscode = this.passcode !== undefined;
    return {
      ...(this.fixed.hostKey ? { hostKey: this.fixed.hostKey } : {}),
      ...(this.fixed.device ? { device: this.fixed.device } : {}),
      ...(this.passcode !== undefined ? { passcode: this.passcode } : {}),
    };
  }

  welcome(): void {
    this.set({ stage: "in" });
  }

  lobby(msg: Extract<ServerMessage, { type: "lobby" }>): void {
    this.set({ stage: "waiting", hostPresent: msg.hostPresent });
  }

  denied(msg: Extract<ServerMessage, { type: "denied" }>): void {
    this.set(msg.blocked ? { stage: "blocked" } : { stage: "denied", retryAt: this.now() + msg.retryAfterMs });
  }

  /** Error frames about our join. `message` carries the numbers the codes do not (tries left, time left). */
  error(code: ErrorCode, message: string): void {
    if (code === "bad-passcode") {
      const wrong = this.sentPasscode;
      this.passcode = undefined;
      this.set({ stage: "passcode", wrong, triesLeft: wrong ? triesLeft(message) : null });
    } else if (code === "passcode-locked") {
      this.passcode = undefined;
      const wait = waitMs(message);
      this.set({ stage: "passcode-locked", until: wait === null ? null : this.now() + wait });
    } else if (code === "knock-blocked") {
      // The close (4406) follows and ends the session; until then, nothing more is sent.
      this.set({ stage: "blocked" });
    }
  }

  /** The socket closed and will come back: a knock nobody answered in time is over (4412). */
  lost(code: number): void {
    if (this.entry.stage === "waiting" && code === CloseCode.JoinTimeout) this.set({ stage: "expired" });
  }

  /** Tries the passcode; false if this is not the time (no passcode asked for, or still locked out). */
  submitPasscode(passcode: string): boolean {
    const e = this.entry;
    if (e.stage !== "passcode" && e.stage !== "passcode-locked") return false;
    if (e.stage === "passcode-locked" && e.until !== null && this.now() < e.until) return false;
    if (!passcode) return false;
    this.passcode = passcode;
    this.set({ stage: "joining" });
    this.rejoin();
    return true;
  }

  /** Knocks again after a denial (once its wait is over) or an expired knock; false if not now. */
  knockAgain(): boolean {
    const e = this.entry;
    if (!(e.stage === "expired" || (e.stage === "denied" && this.now() >= e.retryAt))) return false;
    this.set({ stage: "joining" });
    this.rejoin();
    return true;
  }

  private set(entry: Entry) {
    this.entry = entry;
    this.update({ entry });
  }
}

/** "2 tries left" → 2. The room says it in words (protocol/features/access.ts); the first number is the count. */
export function triesLeft(message: string): number | null {
  const m = /\d+/.exec(message);
  return m ? Number(m[0]) : null;
}

/** "try again in 540 s" / "in 9 minutes" → milliseconds; null if the message names no time. */
export function waitMs(message: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)(?!\p{L})/iu.exec(message);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const scale = unit === "ms" || unit.startsWith("milli") ? 1 : unit.startsWith("m") ? 60_000 : 1000;
  return Math.round(Number(m[1]) * scale);
}
