// What a socket carries through hibernation: the member it belongs to (once joined) and when it
// was accepted. Identity only; the room's state lives in SQLite. Narrowed from `unknown` when
// read back, because an attachment written by older code (before a deploy) may look different.

export interface SocketAttachment {
  id: string | null;
  /** When the socket was accepted: a socket that never heartbeats is judged from here. */
  opened: number;
}

export function isSocketAttachment(v: unknown): v is SocketAttachment {
  return (
    typeof v === "object" && v !== null && "id" in v && "opened" in v &&
    (v.id === null || typeof v.id === "string") && typeof v.opened === "number"
  );
}

export const newAttachment = (now: number): SocketAttachment => ({ id: null, opened: now });

/** A socket without a readable attachment carries no member, and counts as opened long ago (a heartbeat decides). */
export function attachmentOf(ws: WebSocket): SocketAttachment {
  const stored: unknown = ws.deserializeAttachment();
  return isSocketAttachment(stored) ? stored : newAttachment(0);
}
