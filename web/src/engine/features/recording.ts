// Recording with consent, as this member sees it (protocol/features/recording.ts): who records
// the call now (the others' on their participants, ours as the room says it), the room's switch
// (`access.recording`), and our own recorder, which this feature starts and stops so that nobody is
// recorded unannounced and no REC outlives its recording:
//
// - `recording {kind}` goes out before the recorder starts; if it cannot go out (no socket), the
//   recorder does not start. `recording {kind: null}` goes out when it has stopped or failed.
// - A host turning recording off (`access`), or the room refusing our start ("recording-off"),
//   stops our recorder, and the person is told why. The file up to there is kept and offered.
// - A welcome after a reconnect reconciles the room's word with what we do: we stopped while away
//   (our `null` could not go out) → it goes now; a fresh identity while still recording → we
//   announce again. One rule covers both: whenever the room's word differs, ours goes out.
// - Leaving the room stops the recorder and still offers the file: the recorder outlives the
//   session's state, so a saved file reaches the page through `onSaved`, not the snapshot.
//
// The recorder itself (engine/recording/) is injected, so unit tests hand in a fake.

import type { AccessState, ClientMessage, ErrorCode, RecordingInfo, RecordingKind, ServerMessage } from "../../../../protocol/protocol";
import type { LocalRecorder, RecorderFailure, RecorderOptions, RecorderSources, RecorderState, SavedRecording } from "../recording/contract";
import type { StateUpdate } from "../session/session-state";
import type { ChatFeature } from "./chat";
import type { Roster } from "./roster";

type Msg<K extends ServerMessage["type"]> = Extract<ServerMessage, { type: K }>;

/** Our own recorder while it runs: its kind and phase, with the time and bytes so far once it records. */
export type OwnRecording =
  | { kind: RecordingKind; phase: "starting" | "stopping" }
  | { kind: RecordingKind; phase: "recording"; startedAt: number; elapsedMs: number; bytes: number };

/**
 * Why our recording stopped or did not start, until dismissed:
 * - "turned-off": a host turned recording off while we recorded; ours stopped (its file is offered).
 * - "refused": recording is off in this room; nothing was recorded (or the little that was is offered).
 * - "offline": the room could not be told (no connection), so the recorder did not start.
 * - a RecorderFailure: the recorder's own reason (no space, the disk too slow, the picker cancelled…).
 */
export type RecordingNotice = "turned-off" | "refused" | "offline" | RecorderFailure;

export interface RecordingView {
  /** Our recording as the room knows it (what everyone's REC shows); null when it knows of none. */
  self: RecordingInfo | null;
  own: OwnRecording | null;
  notice: RecordingNotice | null;
}

export const NO_RECORDING: RecordingView = { self: null, own: null, notice: null };

export type StartRecorder = (options: RecorderOptions) => Promise<LocalRecorder>;

export interface RecordingDeps {
  send: (msg: ClientMessage) => boolean;
  roster: Pick<Roster, "patch" | "participants">;
  chat: Pick<ChatFeature, "note">;
  selfId: () => string | null;
  /** Our name, for our own "started recording" note. */
  selfName: () => string;
  update: StateUpdate<"recording">;
  /** The recorder (engine/recording/index.ts in a page); without one, nothing can be recorded. */
  start?: StartRecorder | undefined;
  /** A recording is on disk: offer it. Called after the session has gone too (leaving stops the recorder). */
  onSaved?: ((saved: SavedRecording, reason: RecorderFailure | null) => void) | undefined;
  /** For the file's name: the room's id. */
  label?: string | undefined;
}

/** One start of our recorder, from the announcement to its file. */
interface Run {
  kind: RecordingKind;
  recorder: LocalRecorder | null;
  /** A stop was asked for (by the person, the host's switch, or leaving): asked of the recorder as soon as there is one. */
  stopAsked: boolean;
  done: boolean;
}

export class RecordingFeature {
  private view: RecordingView = NO_RECORDING;
  private run: Run | null = null;
  /** The room's switch; until a welcome says otherwise, recording is allowed (the room checks anyway). */
  private allowed = true;
  private disposed = false;

  constructor(private readonly deps: RecordingDeps) {}

  /** Whether a start would be tried now: a recorder exists, none runs, and the room allows it. */
  get canStart(): boolean {
    return !this.disposed && this.deps.start !== undefined && this.run === null && this.allowed && this.deps.selfId() !== null;
  }

  /**
   * Announces the recording, then starts the recorder (synchronously, within the click's handler:
   * a picked file needs the click's user activation). False if it did not start.
   */
  start(kind: RecordingKind, sources: RecorderSources, options: { pickFile?: boolean } = {}): boolean {
    const start = this.deps.start;
    if (!this.canStart || !start) return false;
    if (!this.deps.send({ type: "recording", kind })) {
      this.set({ notice: "offline" });
      return false;
    }
    const run: Run = { kind, recorder: null, stopAsked: false, done: false };
    this.run = run;
    this.set({ own: { kind, phase: "starting" }, notice: null });
    let started: Promise<LocalRecorder>;
    try {
      started = start({
        sources,
        ...(options.pickFile ? { pickFile: true } : {}),
        ...(this.deps.label ? { label: this.deps.label } : {}),
        onState: (state) => this.recorderState(run, state),
      });
    } catch (e) {
      started = Promise.reject(e);
    }
    started.then(
      (recorder) => {
        run.recorder = recorder;
        if (run.stopAsked) this.stopRecorder(run);
        else this.recorderState(run, recorder.state);
      },
      // A recorder that could not even be made (the contract's failures come as states): this browser cannot.
      () => this.recorderState(run, { phase: "failed", reason: "unsupported" }),
    );
    return true;
  }

  /** Stops our recording; its file comes through `onSaved`. False if none runs. */
  stop(): boolean {
    const run = this.run;
    if (!run || run.stopAsked) return false;
    this.stopRecorder(run);
    return true;
  }

  dismissNotice(): void {
    if (this.view.notice !== null) this.set({ notice: null });
  }

  welcome(msg: Msg<"welcome">): void {
    // The roster keeps a known participant's other fields on a resume; the recording is ours to patch.
    for (const peer of msg.peers) this.patchPeer(peer.id, peer.recording);
    this.set({ self: msg.you.recording });
    this.access(msg.access);
    this.reconcile(msg.you.recording);
  }

  access(access: AccessState): void {
    this.allowed = access.recording;
    if (!access.recording && this.run && !this.run.stopAsked) {
      this.stopRecorder(this.run);
      this.set({ notice: "turned-off" });
    }
  }

  peerRecording(msg: Msg<"peer-recording">): void {
    if (msg.id === this.deps.selfId()) {
      this.note(this.view.self, msg.recording, this.deps.selfName());
      this.set({ self: msg.recording });
      return;
    }
    const peer = this.deps.roster.participants.find((p) => p.id === msg.id);
    if (!peer) return;
    this.note(peer.recording, msg.recording, peer.name);
    this.patchPeer(msg.id, msg.recording);
  }

  error(code: ErrorCode): void {
    if (code !== "recording-off") return;
    // The room would not announce us: we must not record. Its `access` frame follows (or came).
    this.allowed = false;
    if (this.run && !this.run.stopAsked) {
      this.stopRecorder(this.run);
      this.set({ notice: "refused" });
    }
  }

  /**
   * The session is over (left, removed, ended): the recorder stops and its file is still offered.
   * The room hears our stop now, while the socket is open; the terminal state sends nothing later.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const run = this.run;
    if (!run) return;
    if (!run.stopAsked) this.stopRecorder(run);
    this.deps.send({ type: "recording", kind: null });
  }

  private stopRecorder(run: Run) {
    run.stopAsked = true;
    if (!run.recorder) return;
    const recorder = run.recorder;
    void recorder.stop().then(
      (state) => this.recorderState(run, state),
      () => this.recorderState(run, { phase: "failed", reason: "write-failed" }),
    );
  }

  private recorderState(run: Run, state: RecorderState) {
    if (run.done) return;
    switch (state.phase) {
      case "starting":
      case "stopping":
        return this.set({ own: { kind: run.kind, phase: state.phase } });
      case "recording":
        return this.set({ own: { kind: run.kind, phase: "recording", startedAt: state.startedAt, elapsedMs: state.elapsedMs, bytes: state.bytes } });
      case "saved":
        this.finish(run, state.reason);
        this.deps.onSaved?.(state.recording, state.reason);
        return;
      case "failed":
        return this.finish(run, state.reason);
      default:
        return state satisfies never;
    }
  }

  /** The recorder is done: the room hears it, and the reason shows unless a stronger one already does (the host's switch). */
  private finish(run: Run, reason: RecorderFailure | null) {
    run.done = true;
    if (this.run === run) this.run = null;
    if (this.disposed) return;
    // Not connected: the next welcome's reconcile says it.
    this.deps.send({ type: "recording", kind: null });
    const notice = this.view.notice === "turned-off" || this.view.notice === "refused" ? this.view.notice : (reason ?? this.view.notice);
    this.set({ own: null, notice });
  }

  /** After a welcome: whenever the room's word about us differs from what our recorder does, ours goes out. */
  private reconcile(room: RecordingInfo | null) {
    const run = this.run;
    const ours = run && !run.done ? run.kind : null;
    if ((room?.kind ?? null) === ours) return;
    // Stopping because recording is off: the stop goes out when the recorder is done; an announcement would only be refused.
    if (ours !== null && (!this.allowed || run?.stopAsked)) return;
    this.deps.send({ type: "recording", kind: ours });
  }

  private patchPeer(id: string, recording: RecordingInfo | null) {
    const peer = this.deps.roster.participants.find((p) => p.id === id);
    if (peer && !sameRecording(peer.recording, recording)) this.deps.roster.patch(id, { recording });
  }

  /** "X started recording" / "X stopped recording" when a REC appears or goes; a change of kind is not news. */
  private note(before: RecordingInfo | null, after: RecordingInfo | null, name: string) {
    if ((before === null) === (after === null)) return;
    this.deps.chat.note(after ? "recording-started" : "recording-stopped", name);
  }

  private set(patch: Partial<RecordingView>) {
    this.view = { ...this.view, ...patch };
    if (!this.disposed) this.deps.update({ recording: this.view });
  }
}

const sameRecording = (a: RecordingInfo | null, b: RecordingInfo | null) => a === b || (a !== null && b !== null && a.kind === b.kind && a.since === b.since);
