// Close codes and error codes to the words a person reads, in one place: the room screens and the
// chat box ask here instead of comparing numbers.

import { CloseCode, type ErrorCode } from "../../../../protocol/protocol";
import type { MessageKey } from "../../i18n/i18n";

/**
 * What the refusal screen says when the room closed our socket for good. `error`: the error frame
 * that came before the close, where one close code has more than one cause (a full room, or a
 * stage with no seat left for another viewer).
 */
export function refusalText(code: number, error?: ErrorCode | null): MessageKey {
  switch (code) {
    case CloseCode.RoomFull:
      return error === "stage-full" ? "stage.full" : "status.full";
    case CloseCode.Replaced:
      return "status.replaced";
    case CloseCode.RateLimited:
      return "status.rateLimited";
    case CloseCode.ProtocolViolation:
      return "status.protocol";
    case CloseCode.BadVersion:
      return "status.badVersion";
    case CloseCode.RoomGone:
      return "status.gone";
    case CloseCode.Removed:
      return "status.removed";
    case CloseCode.Ended:
      return "status.ended";
    case CloseCode.Locked:
      return "status.locked";
    case CloseCode.KnockBlocked:
      return "status.blocked";
    default:
      return "status.refused";
  }
}

/** The line under a full room's or stage's refusal that says how many it takes. */
export function limitText(key: MessageKey): MessageKey | null {
  if (key === "status.full") return "status.fullLimit";
  if (key === "stage.full") return "stage.fullLimit";
  return null;
}

/** Whether the refusal screen offers to come back in here (the room may well take us again). */
export const canRejoinAfter = (code: number): boolean => code === CloseCode.Replaced || code === CloseCode.RateLimited;

/**
 * A host's decision: removed, the meeting ended, the room locked, this browser blocked. Coming
 * back here is not on offer (and the room's address leaves the address bar, so that a reload does
 * not walk back in: house-mafia#109); a new room is.
 */
export const byHost = (code: number): boolean =>
  code === CloseCode.Removed || code === CloseCode.Ended || code === CloseCode.Locked || code === CloseCode.KnockBlocked;

/** The error codes a person can act on; the rest are about this app's own frames (logged only). */
export function errorText(code: ErrorCode): MessageKey | null {
  switch (code) {
    case "room-full":
      return "status.full";
    case "stage-full":
      return "stage.full";
    case "chat-throttled":
      return "chat.slowDown";
    default:
      return null;
  }
}
