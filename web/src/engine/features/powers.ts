// What each role may do, through the one table of levels the room checks too (protocol GRANTS): the
// UI offers a control only to a role that has the power, and the engine refuses to send a frame
// the room would answer with `forbidden`. The room enforces it regardless; this keeps the screens
// from showing buttons that cannot work.

import { holds, type PowerLevel, type Role } from "../../../../protocol/protocol";

export type Power =
  /** Admit or deny a knock. */
  | "admit"
  /** Ask a member to turn its mic off. */
  | "ask-mute"
  /** Turn the lobby ("ask to join") or the lock on and off. */
  | "access"
  /** Set or clear the passcode. */
  | "passcode"
  /** Make a member a co-host, or a co-host a member again. */
  | "set-role"
  | "remove"
  | "end-meeting"
  /** Make the room a meeting or a stage (features/stage.ts). */
  | "set-mode"
  /** On a stage, move a member onto it or back to the audience. */
  | "set-seat"
  /** Lower every raised hand at once. */
  | "lower-hands";

/** The level each power needs: the room checks the same levels (protocol GRANTS says who holds them). */
const LEVEL: Record<Power, PowerLevel> = {
  admit: "admit",
  "ask-mute": "admit",
  access: "manage",
  passcode: "owner",
  "set-role": "manage",
  remove: "manage",
  "end-meeting": "manage",
  "set-mode": "manage",
  "set-seat": "manage",
  "lower-hands": "manage",
};

export const can = (role: Role, power: Power): boolean => holds(role, LEVEL[power]);

/** Whether `role` may remove, or change the role of, someone who is `target`: never a host-key holder. */
export const canManage = (role: Role, target: Role): boolean => can(role, "remove") && target !== "host";
