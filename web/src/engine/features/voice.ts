// Sending voice messages (protocol/features/voice.ts has the whole flow): the message shows at
// once, playable from this device; a `voice-upload` frame asks the room for an upload capability;
// the recording is PUT there; then the chat feature sends `chat` with `voice: {key}` through its
// outbox, so the message is acked and resent like text. This feature owns the upload; the chat
// feature owns the list and the outbox.
//
// One recording goes through the room at a time, and the next is asked for only once the room
// has stored the last: an error frame names no cid, so this way a `voice-throttled` or
// `bad-voice` is always about the one recording in flight (its request if that is still out,
// else its chat message).

import { type ClientMessage, type ErrorCode, type ServerMessage, VOICE_MAX_BYTES, VOICE_MAX_MS } from "../../../../protocol/protocol";
import type { StateUpdate } from "../session/session-state";
import { uploadUrl } from "../voice/urls";
import { canRetry, type Recording, type VoiceFailure } from "../voice/types";
import type { ChatFeature } from "./chat";

type Welcome = Extract<ServerMessage, { type: "welcome" }>;
type UploadReply = Extract<ServerMessage, { type: "voice-upload" }>;

/** How long an upload may take before it is given up (the room allows 60 s; a little more for the answer). */
const UPLOAD_TIMEOUT_MS = 65_000;

export interface VoiceDeps {
  send: (msg: ClientMessage) => boolean;
  chat: Pick<ChatFeature, "draftVoice" | "voiceUploaded" | "voiceFailed" | "voiceRetry" | "discard">;
  update: StateUpdate<"mediaToken">;
  /** Where the Worker is ("" on the same origin): the room's upload paths are relative to it. */
  apiOrigin: string;
  fetch: typeof fetch;
  objectUrls: { create(blob: Blob): string; revoke(url: string): void };
}

/**
 * A recording on its way: "queued" behind another, "asking" for a capability, "uploading", then
 * "posted" (in the chat outbox) until the room stores the message.
 */
interface Job {
  cid: string;
  recording: Recording;
  stage: "queued" | "asking" | "uploading" | "posted";
  /** A capability that expired mid-way (403) is asked for once more before giving up. */
  askedAgain: boolean;
  abort: AbortController | null;
}

/** HTTP answers to an upload, as the Worker gives them (protocol/features/voice.ts). */
export function uploadFailure(status: number): VoiceFailure {
  if (status === 413) return "too-large";
  if (status === 415) return "bad-type";
  if (status === 403) return "expired";
  return "failed";
}

export class VoiceFeature {
  private readonly jobs: Job[] = [];
  /** Failed recordings that may be sent again, by cid. */
  private readonly failed = new Map<string, Recording>();
  /** The blob URL of each of our recordings, revoked when the message is discarded or the session ends. */
  private readonly urls = new Map<string, string>();
  private disposed = false;

  constructor(private readonly deps: VoiceDeps) {}

  /** Shows the message at once and starts sending it; returns its cid. */
  send(recording: Recording): string {
    const { blob, type } = recording;
    const durationMs = Math.min(Math.round(recording.durationMs), VOICE_MAX_MS);
    const url = this.deps.objectUrls.create(blob);
    const cid = this.deps.chat.draftVoice({ url, type, bytes: blob.size, durationMs });
    this.urls.set(cid, url);
    const job: Job = { cid, recording: { blob, type, durationMs }, stage: "queued", askedAgain: false, abort: null };
    // Refused here rather than by the room: it would only say so after a round trip.
    if (blob.size === 0) this.fail(job, "failed");
    else if (blob.size > VOICE_MAX_BYTES) this.fail(job, "too-large");
    else {
      this.jobs.push(job);
      this.pump();
    }
    return cid;
  }

  /** Sends a failed message again; false if it cannot be (not failed, or refused for what it is). */
  retry(cid: string): boolean {
    const recording = this.failed.get(cid);
    if (!recording) return false;
    this.failed.delete(cid);
    this.deps.chat.voiceRetry(cid);
    this.jobs.push({ cid, recording, stage: "queued", askedAgain: false, abort: null });
    this.pump();
    return true;
  }

  /** Removes a failed message from the chat; false if there is none. */
  discard(cid: string): boolean {
    if (!this.deps.chat.discard(cid)) return false;
    this.failed.delete(cid);
    const url = this.urls.get(cid);
    if (url) this.deps.objectUrls.revoke(url);
    this.urls.delete(cid);
    return true;
  }

  /** A (re)join: the new media token, and a capability request the old socket lost goes again. */
  welcome(msg: Welcome): void {
    this.deps.update({ mediaToken: msg.mediaToken });
    const head = this.jobs[0];
    if (head?.stage === "asking") this.ask(head);
    else this.pump();
  }

  /** The room's answer to our `voice-upload`: the capability, for the recording in flight. */
  reply(msg: UploadReply): void {
    const head = this.jobs[0];
    // A late answer to a request asked again, or to a recording cancelled meanwhile: nothing to do.
    if (head?.cid !== msg.cid || head.stage !== "asking") return;
    void this.upload(head, msg.url, msg.key);
  }

  /** Messages of ours the room stored (from the chat feature): the next recording may go. */
  confirmed(cids: readonly string[]): void {
    for (const cid of cids) {
      // A refusal may have been pinned on a message the room had stored after all.
      this.failed.delete(cid);
      const at = this.jobs.findIndex((j) => j.cid === cid);
      if (at < 0) continue;
      this.jobs[at]!.abort?.abort();
      this.jobs.splice(at, 1);
    }
    this.pump();
  }

  /** An error frame: ours are about the recording in flight (see the top of this file). */
  error(code: ErrorCode): void {
    const head = this.jobs[0];
    if (!head) return;
    if (code === "voice-throttled" && head.stage === "asking") this.fail(head, "throttled");
    else if (code === "bad-voice" && head.stage === "asking") this.fail(head, "too-large");
    else if (code === "bad-voice" && head.stage === "posted") this.fail(head, "rejected");
  }

  /** The session ends: uploads stop, and every recording's blob URL is let go. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.jobs.splice(0)) job.abort?.abort();
    for (const url of this.urls.values()) this.deps.objectUrls.revoke(url);
    this.urls.clear();
    this.failed.clear();
  }

  private pump(): void {
    const head = this.jobs[0];
    if (head?.stage === "queued" && !this.disposed) this.ask(head);
  }

  /** Asks for a capability; if the socket is down, the welcome asks again. */
  private ask(job: Job): void {
    job.stage = "asking";
    const { type: mime, blob, durationMs } = job.recording;
    this.deps.send({ type: "voice-upload", cid: job.cid, mime, bytes: blob.size, durationMs });
  }

  private async upload(job: Job, path: string, key: string): Promise<void> {
    job.stage = "uploading";
    const abort = (job.abort = new AbortController());
    // The room gives an upload 60 s (durable/voice-http.ts); past that, waiting on would only
    // hold every later recording behind this one.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, UPLOAD_TIMEOUT_MS);
    let status: number;
    try {
      const { blob, type } = job.recording;
      const res = await this.deps.fetch(uploadUrl(this.deps.apiOrigin, path), { method: "PUT", body: blob, headers: { "Content-Type": type }, signal: abort.signal });
      status = res.status;
      // The JSON error's words are for developers; the status says what a person can do.
      await res.body?.cancel().catch(() => {});
    } catch {
      status = 0;
    } finally {
      clearTimeout(timer);
    }
    if (timedOut && job.abort === abort && this.jobs[0] === job) {
      job.abort = null;
      return this.fail(job, "network");
    }
    if (abort.signal.aborted || this.jobs[0] !== job) return;
    job.abort = null;
    if (status >= 200 && status < 300) {
      job.stage = "posted";
      this.deps.chat.voiceUploaded(job.cid, key);
    } else if (status === 403 && !job.askedAgain) {
      // The capability ran out before the upload got there (a slow link): one more, with a new key.
      job.askedAgain = true;
      this.ask(job);
    } else this.fail(job, status === 0 ? "network" : uploadFailure(status));
  }

  private fail(job: Job, error: VoiceFailure): void {
    const at = this.jobs.indexOf(job);
    if (at >= 0) this.jobs.splice(at, 1);
    job.abort?.abort();
    if (canRetry(error)) this.failed.set(job.cid, job.recording);
    this.deps.chat.voiceFailed(job.cid, error);
    this.pump();
  }
}
