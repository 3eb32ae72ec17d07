// The room's sockets and the members they carry, in both directions, and the sockets that have
// not joined yet (a pre-join screen, a knock waiting in the lobby, or someone who never will),
// oldest first, with the knocks they wait as. The attachment is
// the durable copy (it survives hibernation); the maps are rebuilt from it once per construction,
// so that no frame, open or close has to scan every socket (ctx.getWebSockets() allocates them
// all; doing it per event made a room's cost grow with the square of its sockets).
//
// Why not the runtime's tags (acceptWebSocket(ws, tags) / getWebSockets(tag)): a socket's tags
// are fixed when it is accepted, and what we look sockets up by (the member they carry, whether
// they have joined) is only known later.

import type { Target } from "../room/effects";
import type { Via } from "../room/ports";
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
  /** Open sockets that carry no member, by when they were accepted, oldest first. Knocks among them. */
  private readonly waiting = new Map<WebSocket, number>();
  private readonly byKnock = new Map<string, WebSocket>();
  /** What the core is told about each socket besides its member: one object per socket, updated in place, so that no frame allocates one. */
  private readonly vias = new WeakMap<WebSocket, Via>();
  private open = 0;

  /** `sockets`: the hibernatable sockets the runtime kept (ctx.getWebSockets()). */
  constructor(sockets: readonly WebSocket[]) {
    const waiting: Array<[WebSocket, number]> = [];
    for (const ws of sockets) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      this.open++;
      const { id, opened, knock, addr } = attachmentOf(ws);
      this.vias.set(ws, { knock: id === null ? knock : null, addr });
      if (id === null && knock !== null) this.byKnock.set(knock, ws);
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
  accepted(ws: WebSocket, opened: number, addr: string | null): void {
    this.open++;
    this.waiting.set(ws, opened);
    this.vias.set(ws, { knock: null, addr });
  }

  /** The socket is closed or closing: it is forgotten (its member, if any, is unbound first by the caller; its knock here). */
  gone(ws: WebSocket): void {
    const via = this.vias.get(ws);
    if (via && via.knock !== null) {
      if (this.byKnock.get(via.knock) === ws) this.byKnock.delete(via.knock);
      via.knock = null;
    }
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

  /** The knocks that have a socket. */
  knocking(): ReadonlySet<string> {
    return new Set(this.byKnock.keys());
  }

  /** The socket's knock and address, as the core is told them. */
  viaOf(ws: WebSocket): Via {
    let via = this.vias.get(ws);
    if (!via) {
      const { addr } = attachmentOf(ws);
      this.vias.set(ws, (via = { knock: null, addr }));
    }
    return via;
  }

  socketOfKnock(knock: string): WebSocket | undefined {
    return this.byKnock.get(knock);
  }

  /** The socket waits in the lobby as this knock (it still counts as waiting to join). */
  bindKnock(ws: WebSocket, knock: string): void {
    const via = this.viaOf(ws);
    if (via.knock !== null && this.byKnock.get(via.knock) === ws) this.byKnock.delete(via.knock);
    via.knock = knock;
    this.byKnock.set(knock, ws);
    this.write(ws, { knock });
  }

  /** The knock's socket waits as no knock any more; returns it, if it is still open. */
  unbindKnock(knock: string): WebSocket | undefined {
    const ws = this.byKnock.get(knock);
    if (!ws) return undefined;
    this.byKnock.delete(knock);
    const via = this.vias.get(ws);
    if (via) via.knock = null;
    this.write(ws, { knock: null });
    return ws;
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
    // A knock admitted from the lobby is a knock no more.
    const via = this.viaOf(ws);
    if (via.knock !== null && this.byKnock.get(via.knock) === ws) this.byKnock.delete(via.knock);
    via.knock = null;
    this.write(ws, { id: peerId, knock: null });
    this.waiting.delete(ws);
    this.memberBySocket.set(ws, peerId);
    this.byMember.set(peerId, ws);
  }

  /** Detaches the socket from its member; returns that member, or null if it carried none. */
  unbind(ws: WebSocket): string | null {
    const id = this.memberBySocket.get(ws);
    if (id === undefined) return null;
    this.write(ws, { id: null });
    if (this.byMember.get(id) === ws) this.byMember.delete(id);
    // Still open, and carries no member any more; it is on its way out (leave, expel, replace),
    // so it does not count as waiting to join.
    this.memberBySocket.delete(ws);
    this.open = Math.max(0, this.open - 1);
    return id;
  }

  /** Sends to the socket being handled (`self`, if any), to the members' sockets (away members have none), or to knocks' sockets. */
  deliver(self: WebSocket | null, to: Target, frame: string): void {
    if (to === "self") {
      if (self) trySend(self, frame);
      return;
    }
    // The relay path (a signal to one member) allocates nothing here.
    if ("knocks" in to) this.sendEach(to.knocks, this.byKnock, frame);
    else this.sendEach(to, this.byMember, frame);
  }

  /** Sends to a member's socket, if it has one. */
  sendToMember(id: string, frame: string): void {
    const ws = this.byMember.get(id);
    if (ws) trySend(ws, frame);
  }

  private sendEach(ids: readonly string[], sockets: ReadonlyMap<string, WebSocket>, frame: string): void {
    for (const id of ids) {
      const ws = sockets.get(id);
      if (ws) trySend(ws, frame);
    }
  }

  private write(ws: WebSocket, patch: Partial<Pick<SocketAttachment, "id" | "knock">>): void {
    ws.serializeAttachment({ ...attachmentOf(ws), ...patch } satisfies SocketAttachment);
  }
}
