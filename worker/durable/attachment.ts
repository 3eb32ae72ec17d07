// What a socket carries through hibernation: the member it belongs to (once joined), the knock it
// waits as (in the lobby), when it was accepted, and the client's address (for the cool-down after
// an expulsion, passcode tries and removals). Identity only; the room's state lives in SQLite.
// Narrowed from `unknown` when read back, because an attachment written by older code (before a
// deploy) may look different.

export interface SocketAttachment {
  id: string | null;
  /** The knock this socket waits as in the lobby; null when it is not knocking. */
  knock: string | null;
  /** When the socket was accepted: a socket that never heartbeats is judged from here. */
  opened: number;
  /** CF-Connecting-IP at the upgrade; null if unknown (older attachments, local tools). */
  addr: string | null;
}

/** What every version so far has written: the member and the opening time. */
export function isSocketAttachment(v: unknown): v is Pick<SocketAttachment, "id" | "opened"> {
  return (
    typeof v === "object" && v !== null && "id" in v && "opened" in v &&
    (v.id === null || typeof v.id === "string") && typeof v.opened === "number"
  );
}

export const newAttachment = (now: number, addr: string | null): SocketAttachment => ({ id: null, knock: null, opened: now, addr });

/** A socket without a readable attachment carries no member, and counts as opened long ago (a heartbeat decides). */
export function attachmentOf(ws: WebSocket): SocketAttachment {
  const stored: unknown = ws.deserializeAttachment();
  if (!isSocketAttachment(stored)) return newAttachment(0, null);
  // Written before addresses (or knocks) were kept: none known.
  const addr = "addr" in stored && typeof stored.addr === "string" ? stored.addr : null;
  const knock = "knock" in stored && typeof stored.knock === "string" ? stored.knock : null;
  return { id: stored.id, knock, opened: stored.opened, addr };
}
