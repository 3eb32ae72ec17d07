// A joined room: the signaling client, one PeerLink per remote peer (the mesh), the chat
// history and this device's media, folded into one state snapshot that the UI renders. No DOM.

import type { ChatMessage, MediaState, PeerInfo, RoomSettings, ServerMessage, SignalData } from "../../../protocol/protocol";
import { Emitter } from "./emitter";
import type { LocalMedia } from "./local-media";
import { log } from "./log";
import { PeerLink, type PeerState } from "./peer-link";
import { SignalingClient, type SignalingStatus } from "./signaling";

export interface Participant extends PeerInfo {
  connection: PeerState;
  camera: MediaStream | null;
  screen: MediaStream | null;
}

export type ChatItem =
  | { kind: "chat"; message: ChatMessage; pending: false }
  | { kind: "pending"; cid: string; text: string; pending: true }
  | { kind: "system"; event: "joined" | "left"; name: string; ts: number; key: string };

export type SessionStatus = SignalingStatus | "refused";

export interface SessionState {
  status: SessionStatus;
  refusal: { code: number; reason: string } | null;
  selfId: string | null;
  participants: Participant[];
  chat: ChatItem[];
  settings: RoomSettings | null;
  /** The newest chat sequence number seen; a reconnect asks for what came after it. */
  lastSeq: number;
}

export interface SessionOptions {
  url: string;
  name: string;
  media: LocalMedia;
  rtcConfig?: RTCConfiguration;
  /** For tests. */
  WebSocket?: typeof WebSocket;
}

type Events = { change: SessionState };

const newCid = (): string => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export class RoomSession extends Emitter<Events> {
  private readonly signaling: SignalingClient;
  private readonly links = new Map<string, PeerLink>();
  private readonly unsubscribe: Array<() => void> = [];
  /** Chat the user sent that the room has not confirmed yet, resent after every (re)join. */
  private readonly outbox = new Map<string, string>();
  private stateValue: SessionState = {
    status: "connecting",
    refusal: null,
    selfId: null,
    participants: [],
    chat: [],
    settings: null,
    lastSeq: 0,
  };
  private destroyed = false;

  constructor(private readonly options: SessionOptions) {
    super();
    this.signaling = new SignalingClient({
      url: options.url,
      join: () => ({
        name: options.name,
        media: this.mediaState(),
        ...(this.stateValue.lastSeq > 0 ? { since: this.stateValue.lastSeq } : {}),
      }),
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    this.unsubscribe.push(
      this.signaling.on("message", (m) => this.onServerMessage(m)),
      this.signaling.on("status", (status) => this.update({ status })),
      this.signaling.on("refused", (refusal) => this.update({ status: "refused", refusal })),
      options.media.on("tracks", (tracks) => {
        for (const link of this.links.values()) {
          void link.replaceCameraTracks(tracks);
          link.setScreen(tracks.screenStream);
          link.announceStreams(tracks);
        }
      }),
      options.media.on("change", () => this.signaling.send({ type: "media", media: this.mediaState() })),
    );
    globalThis.addEventListener?.("online", this.onOnline);
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** The live peer connections, for diagnostics and tests. */
  get peerConnections(): RTCPeerConnection[] {
    return [...this.links.values()].map((l) => l.pc);
  }

  sendChat(text: string): void {
    this.assertAlive();
    const trimmed = text.trim();
    if (!trimmed) return;
    const cid = newCid();
    this.outbox.set(cid, text);
    this.update({ chat: [...this.stateValue.chat, { kind: "pending", cid, text, pending: true }] });
    this.signaling.send({ type: "chat", text, cid });
  }

  /** Leaves the room: every peer connection, listener and timer is closed. Media stays with its owner. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    for (const off of this.unsubscribe) off();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.signaling.destroy();
    this.update({ status: "closed", participants: [] });
    this.removeAllListeners();
  }

  private mediaState(): MediaState {
    const s = this.options.media.state;
    return { mic: s.mic, cam: s.cam, screen: s.screen };
  }

  private onServerMessage(msg: ServerMessage) {
    switch (msg.type) {
      case "welcome":
        return this.onWelcome(msg);
      case "peer-joined":
        // The newcomer offers first; answering rather than offering at the same moment avoids
        // a glare on every join (and Chromium's missing ICE candidates after a rollback).
        this.addPeer(msg.peer, false);
        this.system("joined", msg.peer.name);
        return;
      case "peer-left": {
        const p = this.stateValue.participants.find((x) => x.id === msg.id);
        this.removePeer(msg.id);
        if (p) this.system("left", p.name);
        return;
      }
      case "peer-media":
        return this.patchParticipant(msg.id, { media: msg.media });
      case "signal":
        return this.onSignal(msg.from, msg.data);
      case "chat":
        return this.addChat([msg.message]);
      case "history":
        this.addChat(msg.messages);
        if (msg.more && msg.messages.length) this.signaling.send({ type: "history", after: msg.messages.at(-1)!.seq });
        return;
      case "error":
        // Errors about our own frames; nothing here sends malformed ones, so they are diagnostics.
        log({ event: "signaling", status: "error", detail: `${msg.code}: ${msg.message}` });
        return;
    }
  }

  private onWelcome(msg: Extract<ServerMessage, { type: "welcome" }>) {
    // A new welcome after a reconnect means a new peer id: every old link is addressed to a
    // session the others have already forgotten, so the mesh is rebuilt from the new roster.
    if (this.stateValue.selfId !== msg.you.id) {
      for (const link of this.links.values()) link.close();
      this.links.clear();
      this.update({ participants: [] });
    }
    this.update({ selfId: msg.you.id, settings: msg.settings });
    for (const peer of msg.peers) this.addPeer(peer, true);
    this.addChat(msg.chat);
    if (msg.lastSeq > this.stateValue.lastSeq && msg.chat.length && msg.chat.at(-1)!.seq < msg.lastSeq) {
      this.signaling.send({ type: "history", after: msg.chat.at(-1)!.seq });
    }
    for (const [cid, text] of this.outbox) this.signaling.send({ type: "chat", text, cid });
  }

  private addPeer(peer: PeerInfo, connect: boolean) {
    const selfId = this.stateValue.selfId;
    if (!selfId || peer.id === selfId) return;
    if (connect && !this.links.has(peer.id)) this.createLink(peer.id, selfId, false);
    const existing = this.stateValue.participants.find((p) => p.id === peer.id);
    if (existing) this.patchParticipant(peer.id, { name: peer.name, media: peer.media });
    else this.update({ participants: [...this.stateValue.participants, { ...peer, connection: "connecting", camera: null, screen: null }] });
  }

  private createLink(peerId: string, selfId: string, awaitOffer: boolean): PeerLink {
    const link = new PeerLink(
      {
        peerId,
        awaitOffer,
        // Deterministic roles: both sides compute the same answer without talking.
        polite: selfId > peerId,
        config: this.options.rtcConfig ?? {},
        send: (data) => this.signaling.send({ type: "signal", to: peerId, data }),
      },
      this.options.media.tracks,
    );
    link.on("state", (connection) => this.patchParticipant(peerId, { connection }));
    link.on("error", (e) => log({ event: "negotiation", peer: peerId, step: e.code, detail: e.message }));
    link.on("streams", ({ camera, screen }) => this.patchParticipant(peerId, { camera, screen }));
    this.links.set(peerId, link);
    return link;
  }

  private removePeer(id: string) {
    this.links.get(id)?.close();
    this.links.delete(id);
    this.update({ participants: this.stateValue.participants.filter((p) => p.id !== id) });
  }

  private onSignal(from: string, data: SignalData) {
    // The first signal from a newcomer opens our link to it. A signal from someone not in the
    // roster (it left meanwhile) is dropped.
    const selfId = this.stateValue.selfId;
    let link = this.links.get(from);
    if (!link && selfId && this.stateValue.participants.some((p) => p.id === from)) link = this.createLink(from, selfId, true);
    if (link) void link.receive(data);
  }

  private addChat(messages: ChatMessage[]) {
    if (!messages.length) return;
    const seen = new Set<number>();
    for (const item of this.stateValue.chat) if (item.kind === "chat") seen.add(item.message.seq);
    let chat = this.stateValue.chat;
    let lastSeq = this.stateValue.lastSeq;
    for (const message of messages) {
      lastSeq = Math.max(lastSeq, message.seq);
      if (this.outbox.delete(message.cid)) chat = chat.filter((i) => !(i.kind === "pending" && i.cid === message.cid));
      if (seen.has(message.seq)) continue;
      seen.add(message.seq);
      chat = insertBySeq(chat, { kind: "chat", message, pending: false });
    }
    this.update({ chat, lastSeq });
  }

  private system(event: "joined" | "left", name: string) {
    const ts = Date.now();
    this.update({ chat: [...this.stateValue.chat, { kind: "system", event, name, ts, key: `${event}-${ts}-${name}` }] });
  }

  private patchParticipant(id: string, patch: Partial<Participant>) {
    if (!this.stateValue.participants.some((p) => p.id === id)) return;
    this.update({ participants: this.stateValue.participants.map((p) => (p.id === id ? { ...p, ...patch } : p)) });
  }

  private readonly onOnline = () => {
    // Back online after a network change: the old candidate pairs are likely dead.
    for (const link of this.links.values()) if (link.state !== "connected") link.restartIce();
  };

  private update(patch: Partial<SessionState>) {
    if (this.destroyed && patch.status !== "closed") return;
    this.stateValue = { ...this.stateValue, ...patch };
    this.emit("change", this.stateValue);
  }

  private assertAlive() {
    if (this.destroyed) throw new Error("RoomSession used after destroy");
  }
}

/**
 * Confirmed messages stay in the room's order (a history page can arrive after live messages),
 * system notes stay where they happened, and unconfirmed sends stay last.
 */
function insertBySeq(chat: ChatItem[], item: Extract<ChatItem, { kind: "chat" }>): ChatItem[] {
  let at = chat.findIndex((i) => (i.kind === "chat" && i.message.seq > item.message.seq) || i.kind === "pending");
  if (at < 0) at = chat.length;
  return [...chat.slice(0, at), item, ...chat.slice(at)];
}
