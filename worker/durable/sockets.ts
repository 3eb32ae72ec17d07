// The room's sockets and the members they carry, in both directions, and the sockets that have
// not joined yet (a pre-join screen, or someone who never will), oldest first. The attachment is
// the durable copy (it survives hibernation); the maps are rebuilt from it once per construction,
// so that no frame, open or close has to scan every socket (ctx.getWebSockets() allocates them
// all; doing it per event made a room's cost grow with the square of its sockets).
//
// Why not the runtime's tags (acceptWebSocket(ws, tags) / getWebSockets(tag)): a socket's tags
// are fixed when it is accepted, and what we look sockets up by (the member they carry, whether
// they have joined) is only known later.

import { attachmentOf, type SocketAttachment } from "./attachment";

/** ws.send/close throw once the peer has gone; a vanished recipient is not the sender's problem. */
export function trySend(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // The socket is closing; its close handler will tidy up.
  }
}

export function tryClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}

export class SocketRegistry {
  private readonly byMember = new Map<string, WebSocket>();
  private readonly memberBySocket = new WeakMap<WebSocket, string>();
  /** Open sockets that carry no member, by when they were accepted, oldest first. */
  private readonly waiting = new Map<WebSocket, number>();
  private open = 0;

  /** `sockets`: the hibernatable sockets the runtime kept (ctx.getWebSockets()). */
  constructor(sockets: readonly WebSocket[]) {
    const waiting: Array<[WebSocket, number]> = [];
    for (const ws of sockets) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      this.open++;
      const { id, opened } = attachmentOf(ws);
      if (id !== null) {
        this.byMember.set(id, ws);
        this.memberBySocket.set(ws, id);
      } else waiting.push([ws, opened]);
    }
    for (const [ws, opened] of waiting.sort((a, b) => a[1] - b[1])) this.waiting.set(ws, opened);
  }

  /** Open sockets, joined or not. */
  get size(): number {
    return this.open;
  }

  /** Sockets that have not joined. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** A socket was just accepted; it has not joined. */
  accepted(ws: WebSocket, opened: number): void {
    this.open++;
    this.waiting.set(ws, opened);
  }

  /** The socket is closed or closing: it is forgotten (its member, if any, is unbound first by the caller). */
  gone(ws: WebSocket): void {
    if (this.waiting.delete(ws)) this.open = Math.max(0, this.open - 1);
    // Callers unbind first; should one not, the member must not keep a dead socket.
    this.unbind(ws);
  }

  /** The waiting socket accepted longest ago, if any. */
  oldestWaiting(): WebSocket | null {
    return this.waiting.keys().next().value ?? null;
  }

  /** Waiting sockets accepted before `before` (ms since the epoch), oldest first. */
  waitingSince(before: number): WebSocket[] {
    const out: WebSocket[] = [];
    for (const [ws, opened] of this.waiting) {
      if (opened >= before) break;
      out.push(ws);
    }
    return out;
  }

  /** When the oldest waiting socket was accepted, or null. */
  oldestWaitingSince(): number | null {
    return this.waiting.values().next().value ?? null;
  }

  /** The members that have a socket. */
  connected(): ReadonlySet<string> {
    return new Set(this.byMember.keys());
  }

  memberOf(ws: WebSocket): string | null {
    return this.memberBySocket.get(ws) ?? null;
  }

  socketOf(peerId: string): WebSocket | undefined {
    return this.byMember.get(peerId);
  }

  /** Every open socket this registry knows, joined or not. */
  all(): WebSocket[] {
    return [...this.waiting.keys(), ...this.byMember.values()];
  }

  bind(ws: WebSocket, peerId: string): void {
    const previous = this.memberBySocket.get(ws);
    if (previous === peerId) return; // only a change of member is written to the attachment
    if (previous !== undefined && this.byMember.get(previous) === ws) this.byMember.delete(previous);
    this.write(ws, peerId);
    this.waiting.delete(ws);
    this.memberBySocket.set(ws, peerId);
    this.byMember.set(peerId, ws);
  }

  /** Detaches the socket from its member; returns that member, or null if it carried none. */
  unbind(ws: WebSocket): string | null {
    const id = this.memberBySocket.get(ws);
    if (id === undefined) return null;
    this.write(ws, null);
    if (this.byMember.get(id) === ws) this.byMember.delete(id);
    // Still open, and carries no member any more; it is on its way out (leave, expel, replace),
    // so it does not count as waiting to join.
    this.memberBySocket.delete(ws);
    this.open = Math.max(0, this.open - 1);
    return id;
  }

  /** Sends to the socket being handled (`self`, if any) or to the members' sockets; away members have none. */
  deliver(self: WebSocket | null, to: "self" | readonly string[], frame: string): void {
    if (to === "self") {
      if (self) trySend(self, frame);
      return;
    }
    for (const id of to) {
      const ws = this.byMember.get(id);
      if (ws) trySend(ws, frame);
    }
  }

  private write(ws: WebSocket, id: string | null): void {
    ws.serializeAttachment({ ...attachmentOf(ws), id } satisfies SocketAttachment);
  }
}
