// A joined room: the signaling client, one PeerLink per remote peer (the mesh), the chat and
// this device's media, folded into one state snapshot that the UI renders. No DOM.
//
// Who offers: between two peers, the later joiner makes the first offer and the earlier one
// waits for it (so a join never starts with both sides offering at once).
// Reconnects: the signaling socket resumes the same peer id, so links and media survive a
// dropped socket; only a resume that fails (grace period over) rebuilds the mesh.

import type { ChatMessage, IceConfig, MediaState, PeerInfo, RoomSettings, ServerMessage, SignalData } from "../../../protocol/protocol";
import { BitrateController } from "./bitrate-controller";
import { ChatState, type ChatItem } from "./chat-state";
import { Emitter } from "./emitter";
import { IceRestartPolicy } from "./ice-restart-policy";
import type { LocalMedia } from "./local-media";
import { log } from "./log";
import { PeerLink, type PeerState } from "./peer-link";
import type { SignalingClient, SignalingStatus } from "./signaling";

export type { ChatItem };

export interface Participant extends PeerInfo {
  connection: PeerState;
  camera: MediaStream | null;
  screen: MediaStream | null;
}

export type SessionStatus = SignalingStatus | "refused";

export interface SessionState {
  status: SessionStatus;
  refusal: { code: number; reason: string } | null;
  selfId: string | null;
  participants: Participant[];
  chat: readonly ChatItem[];
  settings: RoomSettings | null;
  /** STUN/TURN servers from the room, and whether a relay is on offer. */
  ice: IceConfig | null;
  /** The TURN server refused our credentials and no relay candidate could be gathered. */
  turnRejected: boolean;
  /** Only relayed connections are allowed (the user chose to hide their IP address). */
  relayOnly: boolean;
  /** How many times the signaling socket came back (resumed or not). */
  reconnects: number;
}

export interface SessionOptions {
  /** The room socket, maybe opened before the person chose to join; the session owns it from now on. */
  signaling: SignalingClient;
  name: string;
  media: LocalMedia;
  /** Connect through the TURN relay only, so that peers never learn this device's IP address. */
  relayOnly?: boolean;
  /** A phone or tablet: a smaller upload budget (uplink and CPU), 60 % of the room's. */
  mobile?: boolean;
}

type Events = { change: SessionState };

export class RoomSession extends Emitter<Events> {
  private readonly signaling: SignalingClient;
  private readonly links = new Map<string, PeerLink>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly chatState = new ChatState();
  private readonly restarts: IceRestartPolicy;
  private readonly bitrate: BitrateController;
  private self: { id: string; joined: number; token: string } | null = null;
  /** The welcome asked for more history: unconfirmed chat waits until it has arrived. */
  private catchingUp = false;
  private iceRefresh: ReturnType<typeof setTimeout> | null = null;
  private stateValue: SessionState;
  private destroyed = false;

  constructor(private readonly options: SessionOptions) {
    super();
    this.stateValue = {
      status: "connecting",
      refusal: null,
      selfId: null,
      participants: [],
      chat: [],
      settings: null,
      ice: null,
      turnRejected: false,
      relayOnly: options.relayOnly ?? false,
      reconnects: 0,
    };
    this.signaling = options.signaling;
    this.restarts = new IceRestartPolicy(
      (link) => this.restart(link),
      undefined,
      (link) => this.patchParticipant(link.peerId, { connection: this.restarts.shown(link, link.state) }),
    );
    this.bitrate = new BitrateController(() => [...this.links.values()], {
      budgetBps: () => (this.stateValue.settings?.uploadBudgetKbps ?? 2500) * 1000 * (options.mobile ? 0.6 : 1),
      screen: () => options.media.state.screen,
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
        this.bitrate.update();
      }),
      options.media.on("change", () => this.signaling.send({ type: "media", media: this.mediaState() })),
    );
    globalThis.addEventListener?.("online", this.onOnline);
    this.signaling.join(() => ({
      name: options.name,
      media: this.mediaState(),
      ...(this.chatState.lastSeq > 0 ? { since: this.chatState.lastSeq } : {}),
      ...(this.self ? { resume: { id: this.self.id, token: this.self.token } } : {}),
    }));
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** The live peer connections, for diagnostics and tests. */
  get peerConnections(): RTCPeerConnection[] {
    return [...this.links.values()].map((l) => l.pc);
  }

  /** Sends now if connected; otherwise it waits in the outbox and goes out after the rejoin. */
  sendChat(text: string): void {
    this.assertAlive();
    if (!text.trim()) return;
    const { cid } = this.chatState.send(text);
    this.update({ chat: this.chatState.items });
    if (!this.catchingUp) this.signaling.send({ type: "chat", text, cid });
  }

  /** Leaves the room: every peer connection, listener and timer is closed. Media stays with its owner. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    if (this.iceRefresh !== null) clearTimeout(this.iceRefresh);
    this.restarts.dispose();
    this.bitrate.dispose();
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
        this.addPeer(msg.peer);
        this.chatState.system("joined", msg.peer.name, Date.now());
        this.update({ chat: this.chatState.items });
        return;
      case "peer-left": {
        const p = this.stateValue.participants.find((x) => x.id === msg.id);
        this.removePeer(msg.id);
        if (p) {
          this.chatState.system("left", p.name, Date.now());
          this.update({ chat: this.chatState.items });
        }
        return;
      }
      case "peer-presence":
        return this.onPresence(msg.id, msg.away);
      case "peer-media":
        return this.patchParticipant(msg.id, { media: msg.media });
      case "signal":
        return this.onSignal(msg.from, msg.data);
      case "chat":
        return this.receiveChat([msg.message]);
      case "ice":
        return this.setIce(msg.ice);
      case "history":
        this.receiveChat(msg.messages);
        if (msg.more && msg.messages.length) this.signaling.send({ type: "history", after: msg.messages.at(-1)!.seq });
        else this.caughtUp();
        return;
      case "error":
        // Errors about our own frames; nothing here sends malformed ones, so they are diagnostics.
        log({ event: "signaling", status: "error", detail: `${msg.code}: ${msg.message}` });
        // A refused credential request: links waiting for fresh credentials restart with the current ones.
        if (msg.code === "rate-limited") for (const link of this.restarts.takeWaitingForCredentials()) link.restartIce();
        return;
    }
  }

  private onWelcome(msg: Extract<ServerMessage, { type: "welcome" }>) {
    const rejoin = this.self !== null;
    if (!msg.resumed) {
      // A new identity: every old link is addressed to a session the others have forgotten.
      for (const link of this.links.values()) link.close();
      this.links.clear();
      this.restarts.dispose();
      this.update({ participants: [] });
    }
    this.self = { id: msg.you.id, joined: msg.you.joined, token: msg.resumeToken };
    this.update({ selfId: msg.you.id, settings: msg.settings, reconnects: this.stateValue.reconnects + (rejoin ? 1 : 0) });
    this.setIce(msg.ice);
    // Whoever left while we were away: their peer-left went to the others.
    const present = new Set(msg.peers.map((p) => p.id));
    for (const p of this.stateValue.participants) if (!present.has(p.id)) this.removePeer(p.id);
    for (const peer of msg.peers) this.addPeer(peer);
    this.receiveChat(msg.chat);
    const last = msg.chat.at(-1)?.seq ?? this.chatState.lastSeq;
    if (msg.lastSeq > last) {
      // More was missed than one page: fetch it before resending unconfirmed chat, whose
      // original may be in there (then it must not be sent again).
      this.catchingUp = true;
      this.signaling.send({ type: "history", after: last });
    } else this.caughtUp();
  }

  private caughtUp() {
    this.catchingUp = false;
    for (const { cid, text } of this.chatState.unconfirmed()) this.signaling.send({ type: "chat", text, cid });
  }

  private receiveChat(messages: ChatMessage[]) {
    if (!messages.length) return;
    this.chatState.receive(messages);
    this.update({ chat: this.chatState.items });
  }

  /** Between two peers, the later joiner offers first. */
  private isInitiator(peer: PeerInfo): boolean {
    const self = this.self!;
    return self.joined !== peer.joined ? self.joined > peer.joined : self.id > peer.id;
  }

  private addPeer(peer: PeerInfo) {
    if (!this.self || peer.id === this.self.id) return;
    const existing = this.stateValue.participants.find((p) => p.id === peer.id);
    if (existing) this.patchParticipant(peer.id, { name: peer.name, media: peer.media, joined: peer.joined, away: peer.away });
    else this.update({ participants: [...this.stateValue.participants, { ...peer, connection: "connecting", camera: null, screen: null }] });
    if (!this.links.has(peer.id) && !peer.away && this.isInitiator(peer)) this.createLink(peer.id, false);
  }

  private onPresence(id: string, away: boolean) {
    this.patchParticipant(id, { away });
    if (away) return;
    // Back after a dropped socket. Signals sent to it meanwhile were lost: a link that never heard
    // from it is started over; one that had negotiated keeps its media (and restarts ICE if needed).
    const link = this.links.get(id);
    const peer = this.stateValue.participants.find((p) => p.id === id);
    if (!peer) return;
    if (link && !link.pc.remoteDescription) {
      this.restarts.forget(link);
      link.close();
      this.links.delete(id);
    }
    if (!this.links.has(id) && this.isInitiator(peer)) this.createLink(id, false);
    else if (link && link.state !== "connected") this.restart(link);
  }

  private createLink(peerId: string, awaitOffer: boolean): PeerLink {
    const selfId = this.self!.id;
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
      this.restarts.observe(link, connection);
      this.patchParticipant(peerId, { connection: this.restarts.shown(link, connection) });
      if (connection === "connected") this.bitrate.update();
    });
    link.on("streams", ({ camera, screen }) => this.patchParticipant(peerId, { camera, screen }));
    link.on("turn-rejected", () => this.update({ turnRejected: true }));
    link.on("error", (e) => log({ event: "negotiation", peer: peerId, step: e.code, detail: e.message }));
    this.links.set(peerId, link);
    // One more copy of our media: everyone's share of the budget shrinks.
    this.bitrate.update();
    return link;
  }

  private removePeer(id: string) {
    const link = this.links.get(id);
    if (link) {
      this.restarts.forget(link);
      link.close();
    }
    this.links.delete(id);
    this.bitrate.update();
    this.update({ participants: this.stateValue.participants.filter((p) => p.id !== id) });
  }

  private onSignal(from: string, data: SignalData) {
    // The first signal from a peer that offers to us opens our link to it. A signal from someone
    // not in the roster (it left meanwhile) is dropped.
    let link = this.links.get(from);
    if (!link && this.stateValue.participants.some((p) => p.id === from)) link = this.createLink(from, true);
    if (link) void link.receive(data);
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
    for (const link of this.restarts.takeWaitingForCredentials()) link.restartIce();
    if (this.iceRefresh !== null) clearTimeout(this.iceRefresh);
    this.iceRefresh = null;
    if (ice.expiresAt !== null) {
      // Refresh at 80 % of the remaining lifetime, so long calls and later restarts keep a valid relay.
      const remaining = ice.expiresAt - Date.now();
      if (remaining > 0) this.iceRefresh = setTimeout(() => this.signaling.send({ type: "ice" }), Math.max(1000, remaining * 0.8));
    }
  }

  /** Restarts ICE on a link, fetching fresh credentials first if the current ones are about to expire. */
  private restart(link: PeerLink) {
    this.patchParticipant(link.peerId, { connection: this.restarts.shown(link, "reconnecting") });
    // Still waiting since the last attempt (the request was refused or lost): go on with what we have.
    if (this.restarts.stopWaiting(link)) return link.restartIce();
    const expiresAt = this.stateValue.ice?.expiresAt;
    if (expiresAt != null && expiresAt - Date.now() < 5 * 60_000 && this.signaling.send({ type: "ice" })) {
      this.restarts.waitForCredentials(link);
      return;
    }
    link.restartIce();
  }

  private readonly onOnline = () => {
    // Back online after a network change: the old candidate pairs are likely dead.
    for (const link of this.links.values()) if (link.state !== "connected") this.restart(link);
  };

  private patchParticipant(id: string, patch: Partial<Participant>) {
    if (!this.stateValue.participants.some((p) => p.id === id)) return;
    this.update({ participants: this.stateValue.participants.map((p) => (p.id === id ? { ...p, ...patch } : p)) });
  }

  private update(patch: Partial<SessionState>) {
    if (this.destroyed && patch.status !== "closed") return;
    this.stateValue = { ...this.stateValue, ...patch };
    this.emit("change", this.stateValue);
  }

  private assertAlive() {
    if (this.destroyed) throw new Error("RoomSession used after destroy");
  }
}
