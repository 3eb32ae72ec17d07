// A chat client that behaves like the web app's engine across reconnects: it resumes its seat
// with its token, asks for what it missed by sequence number, and keeps unconfirmed messages in
// the web app's own ChatState outbox until the room echoes them.

import { PROTOCOL_VERSION, type ServerMessage } from "../../protocol/protocol";
import { ChatState } from "../../web/src/engine/features/chat-state";
import { NO_MEDIA, TestClient } from "./client";

export class ResumingClient {
  readonly chat = new ChatState();
  private self: { id: string; token: string } | null = null;
  private socket: TestClient | null = null;
  private catchingUp = false;
  resumes = 0;
  freshJoins = 0;

  constructor(readonly room: string, readonly name: string) {}

  get id(): string | null {
    return this.self?.id ?? null;
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.closed === null && !this.catchingUp && this.self !== null;
  }

  /** Opens a socket and joins (resuming when it can); resolves once caught up. */
  async connect(): Promise<void> {
    const socket = await TestClient.open(this.room);
    this.socket = socket;
    let caughtUp!: () => void;
    const ready = new Promise<void>((r) => (caughtUp = r));
    socket.onFrame = (msg) => this.onFrame(msg, caughtUp);
    socket.send({
      type: "join",
      v: PROTOCOL_VERSION,
      name: this.name,
      media: NO_MEDIA,
      ...(this.chat.lastSeq > 0 ? { since: this.chat.lastSeq } : {}),
      ...(this.self ? { resume: this.self } : {}),
    });
    await ready;
  }

  send(text: string): void {
    const { cid } = this.chat.send(text);
    if (this.connected) this.socket!.send({ type: "chat", text, cid });
  }

  /** The network drops: the socket closes without a leave. */
  drop(): void {
    this.socket?.close(4000, "network dropped");
    this.socket = null;
  }

  /** The room closed the socket (an eviction): mark it gone so that the next connect reopens. */
  get closedByServer(): boolean {
    return this.socket !== null && this.socket.closed !== null;
  }

  close(): void {
    this.socket?.close(1000, "done");
  }

  private onFrame(msg: ServerMessage, caughtUp: () => void) {
    switch (msg.type) {
      case "welcome": {
        if (this.self) msg.resumed ? this.resumes++ : this.freshJoins++;
        this.self = { id: msg.you.id, token: msg.resumeToken };
        this.chat.receive(msg.chat);
        const last = msg.chat.at(-1)?.seq ?? this.chat.lastSeq;
        if (msg.lastSeq > last) {
          this.catchingUp = true;
          this.socket!.send({ type: "history", after: last });
        } else this.finishCatchUp(caughtUp);
        return;
      }
      case "history":
        this.chat.receive(msg.messages);
        if (msg.more) this.socket!.send({ type: "history", after: msg.messages.at(-1)!.seq, ack: msg.ack });
        else this.finishCatchUp(caughtUp);
        return;
      case "chat":
        this.chat.receive([msg.message]);
        return;
      default:
        return;
    }
  }

  private finishCatchUp(caughtUp: () => void) {
    this.catchingUp = false;
    for (const { cid, text } of this.chat.unconfirmed()) this.socket!.send({ type: "chat", text, cid });
    caughtUp();
  }
}
