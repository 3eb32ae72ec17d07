// The safety codes of a joined room (FEATURES.md section 9): for each peer we have a connection
// with, a code over the room and the DTLS fingerprints on both ends; for a meeting where we are
// connected to everyone, one code over everyone's fingerprints. People read them out to each
// other: equal codes mean that nobody terminates DTLS in the middle (the signaling server
// included, which relays the descriptions and could swap them).
//
// A link whose descriptions do not commit to exactly one certificate on each end has no code: it
// "cannot be verified" (safety/fingerprints.ts says why a second fingerprint defeats the code).
//
// Codes are computed from the descriptions in force each time an offer/answer exchange completes
// (the transport's `negotiated`), so an ICE restart or a renegotiation recomputes them (and finds
// them unchanged: our certificate is the browser's, safety/certificate-store.ts). A peer whose
// fingerprints differ from what this tab saw before is flagged (safety/change-memory.ts).

import type { Mode } from "../../../../protocol/protocol";
import { ChangeMemory } from "../safety/change-memory";
import { roomCode, safetyCode } from "../safety/code";
import { fingerprintOf } from "../safety/fingerprints";
import type { Participant, StateUpdate } from "../session/session-state";
import type { Transport } from "../session/transport";

export interface PeerSafety {
  /** CODE_CHARS base32 characters (safety/code.ts); null: this connection cannot be verified. */
  code: string | null;
  /** Their fingerprint differs from the one this tab last saw for them: compare the code again. */
  changed: boolean;
  /** Offer/answer exchanges hashed for this link so far: a test waits for the next one. */
  exchanges: number;
}

export interface SafetyView {
  /** By peer id: those we have a negotiated connection with. */
  peers: Readonly<Record<string, PeerSafety>>;
  /** Everyone's code, when this is a meeting and we are connected to everyone; else null. */
  room: string | null;
}

export const NO_SAFETY: SafetyView = { peers: {}, room: null };

export interface SafetyDeps {
  roomId: string;
  transport: Pick<Transport, "on">;
  update: StateUpdate<"safety">;
  participants(): readonly Participant[];
  mode(): Mode;
  /** Where fingerprints are remembered per tab: sessionStorage in the app; null keeps them for this page only. */
  storage: Pick<Storage, "getItem" | "setItem"> | null;
}

interface LinkCode extends PeerSafety {
  /** Each end's one fingerprint; null where the link cannot be verified. */
  ours: string | null;
  theirs: string | null;
}

export class SafetyFeature {
  private readonly links = new Map<string, LinkCode>();
  /** Per peer, the latest exchange's number: a slower hash of an older one is dropped. */
  private readonly latest = new Map<string, number>();
  private readonly memory: ChangeMemory;
  private readonly unlisten: Array<() => void>;
  private exchanges = 0;
  private roomInput = "";
  private room: string | null = null;
  private disposed = false;

  constructor(private readonly deps: SafetyDeps) {
    this.memory = new ChangeMemory(deps.roomId, deps.storage);
    this.unlisten = [
      deps.transport.on("negotiated", ({ peerId, local, remote }) => void this.negotiated(peerId, local, remote)),
      deps.transport.on("connection", ({ peerId, state }) => {
        // A closed link's code says nothing any more (a stage seat changed, or they left).
        if (state === "closed" && this.links.delete(peerId)) this.publish();
      }),
    ];
  }

  /** The person compared the code with this peer again: the warning goes. */
  dismiss(peerId: string): boolean {
    const link = this.links.get(peerId);
    if (!link?.changed) return false;
    this.memory.dismiss(peerId);
    this.links.set(peerId, { ...link, changed: false });
    this.publish();
    return true;
  }

  /** The roster or the mode changed: codes of those gone go, and the room code follows. */
  refresh(): void {
    if (this.disposed) return;
    const here = new Set(this.deps.participants().map((p) => p.id));
    let dropped = false;
    for (const id of [...this.links.keys()]) if (!here.has(id)) dropped = this.links.delete(id) || dropped;
    if (dropped) this.publish();
    else void this.updateRoom();
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.unlisten) off();
  }

  private async negotiated(peerId: string, local: string, remote: string) {
    const ours = fingerprintOf(local);
    const theirs = fingerprintOf(remote);
    // No fingerprint at all: not a DTLS exchange we can say anything about (nor a sign of attack).
    if (ours.kind === "none" || theirs.kind === "none") return;
    const exchange = ++this.exchanges;
    this.latest.set(peerId, exchange);
    const verifiable = ours.kind === "one" && theirs.kind === "one";
    const code = verifiable ? await safetyCode(this.deps.roomId, [ours.value, theirs.value]) : null;
    if (this.disposed || this.latest.get(peerId) !== exchange) return;
    const participants = this.deps.participants();
    const person = participants.find((p) => p.id === peerId);
    if (!person) return;
    const exchanges = (this.links.get(peerId)?.exchanges ?? 0) + 1;
    if (!verifiable) {
      // Nothing to remember: what they presented cannot be tied to one certificate.
      this.links.set(peerId, { code: null, changed: false, exchanges, ours: null, theirs: null });
      return this.publish();
    }
    const present = (id: string) => participants.some((p) => p.id === id && !p.away);
    const changed = this.memory.observe(peerId, person.name, [theirs.value], present);
    this.links.set(peerId, { code, changed, exchanges, ours: ours.value, theirs: theirs.value });
    this.publish();
  }

  private publish() {
    if (this.disposed) return;
    this.deps.update({ safety: this.view() });
    void this.updateRoom();
  }

  /**
   * The room code over our fingerprints and every participant's, if this is a meeting, we are
   * connected to every participant over a verifiable link, and we presented the same certificate on every link (without
   * a stored one each connection makes its own, and the others' sets would not match ours).
   */
  private async updateRoom() {
    const participants = this.deps.participants();
    // Someone away (their socket dropped; a reload leaves the old seat away for a while) is not
    // someone we can compare with now, even while their old connection lingers.
    const links = participants.map((p) => (p.connection === "connected" && !p.away ? this.links.get(p.id) ?? null : null));
    const ours = links[0]?.ours ?? null;
    const oneCertificate = ours !== null && links.every((l) => l !== null && l.ours === ours && l.theirs !== null);
    const everyone = this.deps.mode() === "meeting" && participants.length > 0 && oneCertificate;
    const input = everyone ? JSON.stringify([ours, links.map((l) => l!.theirs)]) : "";
    if (input === this.roomInput) return;
    this.roomInput = input;
    const room = everyone ? await roomCode(this.deps.roomId, ours!, links.map((l) => l!.theirs)) : null;
    if (this.disposed || this.roomInput !== input || room === this.room) return;
    this.room = room;
    this.deps.update({ safety: this.view() });
  }

  private view(): SafetyView {
    const peers: Record<string, PeerSafety> = {};
    for (const [id, { code, changed, exchanges }] of this.links) peers[id] = { code, changed, exchanges };
    return { peers, room: this.room };
  }
}
