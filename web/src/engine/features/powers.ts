// What each role may do, declared once (protocol/features/access.ts says the same in words): the
// UI offers a control only to a role that has the power, and the engine refuses to send a frame
// the room would answer with `forbidden`. The room enforces it regardless; this keeps the screens
// from showing buttons that cannot work.

import type { Role } from "../../../../protocol/protocol";

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
  | "end-meeting";

const POWERS: Record<Role, ReadonlySet<Power>> = {
  host: new Set<Power>(["admit", "ask-mute", "access", "passcode", "set-role", "remove", "end-meeting"]),
  cohost: new Set<Power>(["admit", "ask-mute", "access", "set-role", "remove", "end-meeting"]),
  // Stands in while no host is present: lets people in and keeps the noise down, nothing else.
  "temp-host": new Set<Power>(["admit", "ask-mute"]),
  member: new Set<Power>(),
};

export const can = (role: Role, power: Power): boolean => POWERS[role].has(power);

/** Whether `role` may remove, or change the role of, someone who is `target`: never a host-key holder. */
export const canManage = (role: Role, target: Role): boolean => can(role, "remove") && target !== "host";
