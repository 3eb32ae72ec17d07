// The room's sockets and the members they carry, in both directions. The attachment is the
// durable copy (it survives hibernation); the maps are rebuilt from it on every construction, so
// that a frame's sender is found without deserializing its attachment.

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

  /** `sockets`: the hibernatable sockets the runtime kept (ctx.getWebSockets()). */
  constructor(sockets: readonly WebSocket[]) {
    for (const ws of sockets) {
      const { id } = attachmentOf(ws);
      if (id !== null && ws.readyState === WebSocket.OPEN) {
        this.byMember.set(id, ws);
        this.memberBySocket.set(ws, id);
      }
    }
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

  bind(ws: WebSocket, peerId: string): void {
    const previous = this.memberBySocket.get(ws);
    if (previous === peerId) return; // only a change of member is written to the attachment
    if (previous !== undefined && this.byMember.get(previous) === ws) this.byMember.delete(previous);
    this.write(ws, peerId);
    this.memberBySocket.set(ws, peerId);
    this.byMember.set(peerId, ws);
  }

  /** Detaches the socket from its member; returns that member, or null if it carried none. */
  unbind(ws: WebSocket): string | null {
    const id = this.memberBySocket.get(ws);
    if (id === undefined) return null;
    this.write(ws, null);
    this.memberBySocket.delete(ws);
    if (this.byMember.get(id) === ws) this.byMember.delete(id);
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
