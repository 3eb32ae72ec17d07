// The room's chat as a session feature: live messages, the history fetched after a rejoin, the
// joined/left notes, and the outbox (ChatState) resent after every (re)join, but only once the
// history the welcome did not carry has arrived: a message still unconfirmed may be in there,
// and then it must not be sent again.

import type { ChatMessage, ClientMessage, ServerMessage } from "../../../../protocol/protocol";
import type { StateUpdate } from "../session/session-state";
import { ChatState } from "./chat-state";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;
type History = Extract<ServerMessage, { type: "history" }>;

export class ChatFeature {
  private readonly chat = new ChatState();
  /** The welcome asked for more history: unconfirmed chat waits until it has arrived. */
  private catchingUp = false;

  constructor(
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly update: StateUpdate<"chat">,
  ) {}

  /** The newest message seen; a rejoin asks for what came after it. */
  get lastSeq(): number {
    return this.chat.lastSeq;
  }

  /** Sends now if connected; otherwise it waits in the outbox and goes out after the rejoin. */
  post(text: string): void {
    if (!text.trim()) return;
    const { cid } = this.chat.send(text);
    this.update({ chat: this.chat.items });
    if (!this.catchingUp) this.send({ type: "chat", text, cid });
  }

  welcome(msg: Welcome): void {
    this.receive(msg.chat);
    const last = msg.chat.at(-1)?.seq ?? this.chat.lastSeq;
    if (msg.lastSeq > last) {
      // More was missed than one page: fetch it before resending unconfirmed chat.
      this.catchingUp = true;
      this.send({ type: "history", after: last });
    } else this.caughtUp();
  }

  history(msg: History): void {
    this.receive(msg.messages);
    if (msg.more && msg.messages.length) this.send({ type: "history", after: msg.messages.at(-1)!.seq });
    else this.caughtUp();
  }

  receive(messages: ChatMessage[]): void {
    if (!messages.length) return;
    this.chat.receive(messages);
    this.update({ chat: this.chat.items });
  }

  /** "X joined" / "X left", where it happened in the conversation. */
  note(event: "joined" | "left", name: string): void {
    this.chat.system(event, name, Date.now());
    this.update({ chat: this.chat.items });
  }

  private caughtUp() {
    this.catchingUp = false;
    for (const { cid, text } of this.chat.unconfirmed()) this.send({ type: "chat", text, cid });
  }
}
