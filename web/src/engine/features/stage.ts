// The room's mode and our place on a stage, as this member sees it (protocol/features/stage.ts):
// the mode, our seat, the raised hands of members present, since when the stage is live, and
// which speakers send us no camera video (their `tier`). It tells the transport our seat (whom to
// connect to, whether to send) and moves our media with it: sent to the audience, we stop
// publishing (mic, camera and screen go off). Moved onto the stage by a host, we are "invited":
// nothing starts until the person accepts (acceptStage starts mic and camera, the only time a
// viewer's page asks for them) or declines (back to the audience). A host must not be able to
// turn someone's camera on: with the permission already granted, the browser would not ask.

import type { ClientMessage, Mode, PeerInfo, Role, Seat, ServerMessage } from "../../../../protocol/protocol";
import { log } from "../log";
import type { LocalMedia } from "../media/local-media";
import type { StageView, StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";
import { can } from "./powers";
import type { Roster } from "./roster";

type Msg<K extends ServerMessage["type"]> = Extract<ServerMessage, { type: K }>;

export type StageMedia = Pick<LocalMedia, "state" | "setMic" | "setCam" | "stopScreen" | "start">;

export class StageFeature {
  private mode: Mode = "meeting";
  private seat: Seat = "speaker";
  /** The hands as the room last listed them; the view shows those of members present. */
  private hands: string[] = [];
  private liveSince: number | null = null;
  /** How many are in the crowd, as the room last counted (protocol/features/crowd.ts). */
  private audience = 0;
  private videoOff: string[] = [];
  /** A host moved us onto the stage and we have not said yes or no yet. */
  private invited = false;
  /** The room's clock minus ours (from a fresh welcome's join time), so that "live for 12:34" does not depend on this device's clock. */
  private clockOffset = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly send: (msg: ClientMessage) => boolean,
    private readonly transport: Pick<Transport, "setStage" | "addPeer" | "on">,
    private readonly roster: Pick<Roster, "patch" | "participants">,
    private readonly media: StageMedia,
    private readonly self: () => { id: string; role: Role } | null,
    private readonly update: StateUpdate<"stage">,
  ) {
    this.unsubscribe = transport.on("tier", ({ peerId, video }) => this.tier(peerId, video));
  }

  /**
   * Every welcome, after the transport knows who we are and before it hears of any peer: the
   * links it makes for them must already follow our seat (a viewer never offers media).
   */
  welcome(msg: Msg<"welcome">): void {
    // A resumed welcome carries the old join time; the first one's offset still holds.
    if (!msg.resumed) this.clockOffset = msg.you.joined - Date.now();
    this.mode = msg.stage.mode;
    this.hands = msg.stage.hands;
    this.liveSince = msg.stage.liveSince;
    this.audience = msg.audience;
    const present = new Set([msg.you.id, ...msg.peers.map((p) => p.id)]);
    const speakers = new Set(msg.peers.filter((p) => p.seat === "speaker").map((p) => p.id));
    this.videoOff = this.videoOff.filter((id) => speakers.has(id));
    this.takeSeat(msg.you.seat);
    this.publish(present);
  }

  /** The mode or the hands changed. */
  stage(msg: Msg<"stage">): void {
    const modeChanged = msg.stage.mode !== this.mode;
    this.mode = msg.stage.mode;
    this.hands = msg.stage.hands;
    this.liveSince = msg.stage.liveSince;
    if (modeChanged) {
      // In a meeting everyone is a speaker: our seat follows the mode without starting media, so
      // a viewer whose stage became a meeting turns its camera on itself. That takes this frame to
      // come before our `peer-seat`; a `peer-seat` to speaker while still on a stage reads as an
      // invitation (takeSeat).
      if (this.mode === "meeting") {
        this.seat = "speaker";
        this.invited = false;
      }
      if (this.seat === "speaker") this.videoOff = [];
      this.transport.setStage({ mode: this.mode, seat: this.seat });
    }
    this.publish();
  }

  peerSeat(msg: Msg<"peer-seat">): void {
    if (msg.id === this.self()?.id) {
      this.takeSeat(msg.seat);
      return this.publish();
    }
    const p = this.roster.participants.find((x) => x.id === msg.id);
    if (!p) return;
    this.roster.patch(msg.id, { seat: msg.seat });
    // What the room says of it, without what the transport reports back (connection, streams).
    const { connection: _connection, camera: _camera, screen: _screen, ...info } = p;
    this.transport.addPeer({ ...info, seat: msg.seat } satisfies PeerInfo);
    if (msg.seat !== "speaker") this.videoOff = this.videoOff.filter((id) => id !== msg.id);
    this.publish();
  }

  /** The room counted the crowd again. */
  audienceCount(msg: Msg<"audience">): void {
    this.audience = msg.count;
    this.publish();
  }

  /** A member left: its hand and its tier go with it. */
  peerLeft(id: string): void {
    this.videoOff = this.videoOff.filter((x) => x !== id);
    this.publish();
  }

  setMode(mode: Mode): boolean {
    return this.mode !== mode && this.may("set-mode") && this.send({ type: "set-mode", mode });
  }

  setSeat(id: string, seat: Seat): boolean {
    return this.mode === "stage" && this.may("set-seat") && this.send({ type: "set-seat", id, seat });
  }

  /** A speaker steps down to the audience (or declines an invitation). */
  leaveStage(): boolean {
    const sent = this.mode === "stage" && this.seat === "speaker" && this.send({ type: "leave-stage" });
    if (sent && this.invited) {
      this.invited = false;
      this.publish();
    }
    return sent;
  }

  /** Says yes to a host's invitation: mic and camera start (the browser may ask for them now). */
  acceptStage(): boolean {
    if (!this.invited || this.seat !== "speaker") return false;
    this.invited = false;
    this.media.start({ mic: true, cam: true }).catch(mediaFailed);
    this.publish();
    return true;
  }

  raiseHand(up: boolean): boolean {
    return this.send({ type: "hand", up });
  }

  /** Host or cohost: lowers every raised hand. False when none is up: the room would do nothing. */
  lowerAllHands(): boolean {
    return this.hands.length > 0 && this.may("lower-hands") && this.send({ type: "lower-hands" });
  }

  dispose(): void {
    this.unsubscribe();
  }

  private may(power: "set-mode" | "set-seat" | "lower-hands"): boolean {
    const self = this.self();
    return self !== null && can(self.role, power);
  }

  /** Our seat is (still) `seat`: the transport follows, and our media when it changed. */
  private takeSeat(seat: Seat) {
    const was = this.seat;
    this.seat = seat;
    this.transport.setStage({ mode: this.mode, seat });
    if (seat === "speaker") this.videoOff = [];
    if (seat === was) return;
    this.invited = seat === "speaker" && this.mode === "stage";
    if (seat === "viewer") {
      // A viewer publishes nothing (the room refuses its media), and the person should see it.
      // Only what is on: each change is a `media` frame to the room.
      const { mic, cam, screen } = this.media.state;
      if (mic) this.media.setMic(false).catch(mediaFailed);
      if (cam) this.media.setCam(false).catch(mediaFailed);
      if (screen) this.media.stopScreen().catch(mediaFailed);
    }
  }

  /** A speaker says whether it sends us its camera video; a speaker ourselves, we always get it. */
  private tier(peerId: string, video: boolean) {
    const others = this.videoOff.filter((id) => id !== peerId);
    const speaker = this.roster.participants.some((p) => p.id === peerId && p.seat === "speaker");
    this.videoOff = video || this.seat === "speaker" || !speaker ? others : [...others, peerId];
    this.publish();
  }

  /** Who is here: us and the roster. */
  private present(): Set<string> {
    const self = this.self();
    return new Set([...(self ? [self.id] : []), ...this.roster.participants.map((p) => p.id)]);
  }

  private publish(present = this.present()) {
    const view: StageView = {
      mode: this.mode,
      seat: this.seat,
      hands: this.hands.filter((id) => present.has(id)),
      liveSince: this.liveSince === null ? null : this.liveSince - this.clockOffset,
      videoOffFrom: this.videoOff,
      invited: this.invited,
      audience: this.audience,
    };
    this.update({ stage: view });
  }
}

/** The media's owner was destroyed meanwhile (the page is leaving): nothing to do. */
function mediaFailed(e: unknown) {
  log({ event: "media", step: "stage seat change failed", detail: String(e) });
}
