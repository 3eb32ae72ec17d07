// Puts a link's caps on its senders (RTCRtpSender.setParameters). Pure plumbing: what the caps
// are is bitrate-budget.ts's business, when they change is bitrate-controller.ts's.

import type { MediaSenders } from "../peer/media-layout";
import type { EncodingCap, PeerCaps } from "./bitrate-budget";

export async function applyCaps(senders: MediaSenders, caps: PeerCaps): Promise<void> {
  const jobs: Array<Promise<void>> = [setCap(senders.camera, caps.camera), setCap(senders.audio, { maxBitrate: caps.audio.maxBitrate })];
  if (senders.screen && caps.screen) jobs.push(setCap(senders.screen, caps.screen));
  await Promise.all(jobs);
}

/** Sets the first encoding's limits, if the sender has one yet (it gets it with negotiation). */
async function setCap(sender: RTCRtpSender, cap: Partial<EncodingCap>): Promise<void> {
  const params = sender.getParameters();
  const encoding = params.encodings?.[0];
  if (!encoding) return;
  if (
    encoding.maxBitrate === cap.maxBitrate &&
    (cap.scaleResolutionDownBy === undefined || encoding.scaleResolutionDownBy === cap.scaleResolutionDownBy) &&
    (cap.maxFramerate === undefined || encoding.maxFramerate === cap.maxFramerate)
  ) {
    return;
  }
  Object.assign(encoding, cap);
  try {
    await sender.setParameters(params);
  } catch {
    // A sender that is being renegotiated refuses; the next budget update applies it.
  }
}
