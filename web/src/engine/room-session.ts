// A joined room: the signaling client, one PeerLink per remote peer (the mesh), the chat
// history and this device's media, folded into one state snapshot that the UI renders. No DOM.

import type { ChatMessage, IceConfig, MediaState, PeerInfo, RoomSettings, ServerMessage, SignalData } from "../../../protocol/protocol";
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
  /** STUN/TURN servers from the room, and whether a relay is on offer. */
  ice: IceConfig | null;
  /** The TURN server refused our credentials and no relay candidate could be gathered. */
  turnRejected: boolean;
  /** Only relayed connections are allowed (the user chose to hide their IP address). */
  relayOnly: boolean;
}

export interface SessionOptions {
  url: string;
  name: string;
  media: LocalMedia;
  /** Connect through the TURN relay only, so that peers never learn this device's IP address. */
  relayOnly?: boolean;
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
    ice: null,
    turnRejected: false,
    relayOnly: false,
  };
  private destroyed = false;
  private iceRefresh: ReturnType<typeof setTimeout> | null = null;
  /** Links waiting for fresh credentials before their ICE restart. */
  private readonly restartAfterRefresh = new Set<PeerLink>();
  private readonly disconnectTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: SessionOptions) {
    super();
    this.stateValue = { ...this.stateValue, relayOnly: options.relayOnly ?? false };
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
    if (this.iceRefresh !== null) clearTimeout(this.iceRefresh);
    for (const t of this.disconnectTimers.values()) clearTimeout(t);
    this.disconnectTimers.clear();
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
      case "ice":
        return this.setIce(msg.ice);
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
    this.setIce(msg.ice);
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
        config: this.rtcConfig(),
        send: (data) => this.signaling.send({ type: "signal", to: peerId, data }),
      },
      this.options.media.tracks,
    );
    link.on("state", (connection) => {
      this.patchParticipant(peerId, { connection });
      this.watchConnection(link, connection);
    });
    link.on("turn-rejected", () => this.update({ turnRejected: true }));
    link.on("error", (e) => log({ event: "negotiation", peer: peerId, step: e.code, detail: e.message }));
    link.on("streams", ({ camera, screen }) => this.patchParticipant(peerId, { camera, screen }));
    this.links.set(peerId, link);
    return link;
  }

  private removePeer(id: string) {
    clearTimeout(this.disconnectTimers.get(id));
    this.disconnectTimers.delete(id);
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

  private rtcConfig(): RTCConfiguration {
    return {
      iceServers: this.stateValue.ice?.iceServers ?? [],
      iceTransportPolicy: this.stateValue.relayOnly ? "relay" : "all",
    };
  }

  /** New credentials: every link uses them from its next gathering; a refresh is planned before they expire. */
  private setIce(ice: IceConfig) {
    this.update({ ice, turnRejected: false });
    for (const link of this.links.values()) link.setIceServers(this.rtcConfig());
    for (const link of this.restartAfterRefresh) link.restartIce();
    this.restartAfterRefresh.clear();
    if (this.iceRefresh !== null) clearTimeout(this.iceRefresh);
    this.iceRefresh = null;
    if (ice.expiresAt !== null) {
      // Refresh at 80 % of the remaining lifetime, so long calls and later restarts keep a valid relay.
      const remaining = ice.expiresAt - Date.now();
      if (remaining > 0) this.iceRefresh = setTimeout(() => this.signaling.send({ type: "ice" }), Math.max(1000, remaining * 0.8));
    }
  }

  /** ICE restart policy: on `failed` at once, on `disconnected` that lasts 4 s. */
  private watchConnection(link: PeerLink, state: PeerState) {
    const id = link.peerId;
    clearTimeout(this.disconnectTimers.get(id));
    this.disconnectTimers.delete(id);
    if (state === "failed") this.restart(link);
    else if (state === "reconnecting") {
      this.disconnectTimers.set(id, setTimeout(() => {
        this.disconnectTimers.delete(id);
        if (link.state === "reconnecting") this.restart(link);
      }, 4000));
    }
  }

  /** Restarts ICE on a link, fetching fresh credentials first if the current ones are about to expire. */
  private restart(link: PeerLink) {
    const expiresAt = this.stateValue.ice?.expiresAt;
    if (expiresAt != null && expiresAt - Date.now() < 5 * 60_000 && this.signaling.send({ type: "ice" })) {
      this.restartAfterRefresh.add(link);
      return;
    }
    link.restartIce();
  }

  private readonly onOnline = () => {
    // Back online after a network change: the old candidate pairs are likely dead.
    for (const link of this.links.values()) if (link.state !== "connected") this.restart(link);
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
