// The room's chat as a session feature: live messages, the history fetched after a rejoin, the
// joined/left notes, and the outbox (ChatState) resent after every (re)join, but only once the
// history the welcome did not carry has arrived: a message still unconfirmed may be in there,
// and then it must not be sent again.
//
// The room rations what a member costs it, and this feature keeps to the ration as two small
// state machines, each with at most one timer:
// - the outbox: "open" (a message goes out when posted); "held" (the room said chat-throttled:
//   nothing goes out until a delay has passed); "probing" (the oldest unconfirmed message went
//   out alone; the next goes when the room has stored it, or the outbox is held again).
// - paging: "idle"; "requested" (a history request is out, carrying the last reply's `ack`);
//   "retrying" (the room said history-unacked or history-throttled: the same request goes again after a delay, a few
//   times at most).
//
// Voice messages (features/voice.ts) pass through here as items and outbox entries: the voice
// feature owns the upload, this one owns the list and the outbox, so an uploaded voice message is
// acked, held, probed and resent exactly like text.

import type { ChatMessage, ClientMessage, ErrorCode, ServerMessage } from "../../../../protocol/protocol";
import type { StateUpdate } from "../session/session-state";
import type { LocalVoice, VoiceFailure } from "../voice/types";
import { ChatState, type Outgoing, type SystemEvent } from "./chat-state";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;
type History = Extract<ServerMessage, { type: "history" }>;

/** Runs `run` after `ms`; returns what cancels it. Injected by tests. */
export type Schedule = (ms: number, run: () => void) => () => void;

const frame = ({ cid, text, voice }: Outgoing): ClientMessage => ({ type: "chat", text, cid, ...(voice ? { voice } : {}) });

const timeout: Schedule = (ms, run) => {
  const t = setTimeout(run, ms);
  return () => clearTimeout(t);
};

/** The wait after chat-throttled: the room gives a member one message a second once its burst is spent. */
export const RESEND_AFTER_MS = 1_100;
/**
 * The waits before asking again after history-unacked or history-throttled (the room gives a member 2 pages a second
 * once its burst is spent); after the last, paging gives up (see historyBusy).
 */
export const HISTORY_RETRY_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000];

type Outbox = { state: "open" } | { state: "held"; cancel: () => void } | { state: "probing"; cancel: () => void };

/**
 * A probe the room neither stored nor refused as throttled (refused for something else, or lost
 * with a socket that then came back) goes again after this long: a resend of a cid is answered,
 * never stored twice.
 */
export const PROBE_AGAIN_MS = 5_000;
type Paging =
  | { state: "idle" }
  | { state: "requested"; after: number; retries: number }
  | { state: "retrying"; after: number; retries: number; cancel: () => void };

export class ChatFeature {
  private readonly chat = new ChatState();
  /** The welcome asked for more history: unconfirmed chat waits until it has arrived. */
  private catchingUp = false;
  /** The token of the last history reply on this socket: the next request presents it. */
  private ack: string | undefined;
  private outbox: Outbox = { state: "open" };
  private paging: Paging = { state: "idle" };

  constructor(
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly update: StateUpdate<"chat">,
    private readonly schedule: Schedule = timeout,
    /** This client's messages that the room has stored (by cid): the voice feature waits for its own. */
    private readonly confirmed: (cids: readonly string[]) => void = () => {},
  ) {}

  /** The newest message seen; a rejoin asks for what came after it. */
  get lastSeq(): number {
    return this.chat.lastSeq;
  }

  /** Sends now if connected and the room is not holding us back; otherwise it waits in the outbox. */
  post(text: string): void {
    if (!text.trim()) return;
    // Behind a probe it waits its turn; only a held outbox (the room said slow down) shows as held.
    const queued = this.outbox.state !== "open";
    const out = this.chat.send(text, this.outbox.state === "held");
    this.publish();
    if (!this.catchingUp && !queued) this.send(frame(out));
  }

  /** Shows a voice message whose recording is on its way to the server; returns its cid. */
  draftVoice(voice: LocalVoice): string {
    const cid = this.chat.draftVoice(voice);
    this.publish();
    return cid;
  }

  /** Its recording is uploaded: the message goes out now, or waits its turn in the outbox like text. */
  voiceUploaded(cid: string, key: string): void {
    const queued = this.outbox.state !== "open";
    const out = this.chat.voiceUploaded(cid, key, this.outbox.state === "held");
    if (!out) return;
    this.publish();
    if (!this.catchingUp && !queued) this.send(frame(out));
  }

  /** The voice message did not go out: it shows why, and is not resent. */
  voiceFailed(cid: string, error: VoiceFailure): void {
    if (this.chat.voiceFailed(cid, error)) this.publish();
  }

  voiceRetry(cid: string): void {
    if (this.chat.voiceRetry(cid)) this.publish();
  }

  /** Removes a failed voice message; false if there is none. */
  discard(cid: string): boolean {
    if (!this.chat.discard(cid)) return false;
    this.publish();
    return true;
  }

  welcome(msg: Welcome): void {
    // A new socket: the old one's history token, pending retries and holds are void.
    this.stop();
    this.ack = undefined;
    if (this.chat.hold(false)) this.publish();
    this.receive(msg.chat);
    const last = msg.chat.at(-1)?.seq ?? this.chat.lastSeq;
    if (msg.lastSeq > last) {
      // More was missed than one page: fetch it before resending unconfirmed chat.
      this.catchingUp = true;
      this.requestHistory(last, 0);
    } else this.caughtUp();
  }

  history(msg: History): void {
    if (this.paging.state === "retrying") this.paging.cancel();
    this.paging = { state: "idle" };
    this.ack = msg.ack;
    this.receive(msg.messages);
    if (msg.more && msg.messages.length) this.requestHistory(msg.messages.at(-1)!.seq, 0);
    else this.caughtUp();
  }

  receive(messages: ChatMessage[]): void {
    if (!messages.length) return;
    const confirmed = this.chat.receive(messages);
    this.publish();
    // The message sent alone has been stored: the next may go.
    if (confirmed.length > 0 && this.outbox.state === "probing") {
      this.outbox.cancel();
      this.probe();
    }
    if (confirmed.length > 0) this.confirmed(confirmed);
  }

  /** An error frame from the room; the chat feature acts on its own two. */
  error(code: ErrorCode): void {
    if (code === "chat-throttled") this.throttled();
    // Either way the same request goes again later, with the last ack.
    else if (code === "history-unacked" || code === "history-throttled") this.historyBusy();
  }

  /** "X joined" / "X left" (and "X started recording"...), where it happened in the conversation. */
  note(event: SystemEvent, name: string): void {
    this.chat.system(event, name, Date.now());
    this.publish();
  }

  /** Cancels the pending retries; the session calls it on destroy. */
  dispose(): void {
    this.stop();
  }

  /**
   * The room did not store a message. Messages sent after it may have been refused too (their
   * refusals follow); all stay unconfirmed, and go out again one at a time after a pause.
   */
  private throttled(): void {
    if (this.outbox.state === "held") return;
    if (this.outbox.state === "probing") this.outbox.cancel();
    this.outbox = { state: "held", cancel: this.schedule(RESEND_AFTER_MS, () => this.probe()) };
    if (this.chat.hold(true)) this.publish();
  }

  /** Sends the oldest unconfirmed message alone, or opens the outbox when there is none. */
  private probe(): void {
    const next = this.chat.unconfirmed()[0];
    if (!next) {
      this.outbox = { state: "open" };
      return;
    }
    this.outbox = { state: "probing", cancel: this.schedule(PROBE_AGAIN_MS, () => this.probe()) };
    if (!this.catchingUp) this.send(frame(next));
  }

  private requestHistory(after: number, retries: number): void {
    this.paging = { state: "requested", after, retries };
    this.send({ type: "history", after, ...(this.ack !== undefined ? { ack: this.ack } : {}) });
  }

  /**
   * The room will not serve a page now (over the ration, or it has not seen our ack yet): ask
   * again after a pause, the same request with the same token. After the last retry, paging
   * gives up and the outbox goes out anyway: the room stores a cid once, so a resend of a
   * message that did land is answered, not stored again.
   */
  private historyBusy(): void {
    if (this.paging.state !== "requested") return;
    const { after, retries } = this.paging;
    const wait = HISTORY_RETRY_MS[retries];
    if (wait === undefined) {
      this.paging = { state: "idle" };
      this.caughtUp();
      return;
    }
    this.paging = { state: "retrying", after, retries, cancel: this.schedule(wait, () => this.requestHistory(after, retries + 1)) };
  }

  private caughtUp(): void {
    this.catchingUp = false;
    // A held outbox goes out one message at a time when its pause ends.
    if (this.outbox.state === "held") return;
    if (this.outbox.state === "probing") {
      this.outbox.cancel();
      return this.probe();
    }
    for (const out of this.chat.unconfirmed()) this.send(frame(out));
  }

  private stop(): void {
    if (this.outbox.state !== "open") this.outbox.cancel();
    if (this.paging.state === "retrying") this.paging.cancel();
    this.outbox = { state: "open" };
    this.paging = { state: "idle" };
  }

  private publish(): void {
    this.update({ chat: this.chat.items });
  }
}
