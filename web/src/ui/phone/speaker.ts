// Where the call's sound plays (FEATURES §11): which ways of choosing this browser has, and the
// choice remembered across visits. The pre-join screen's speaker picker and the room's speaker
// dialog share it, through LocalMedia's `choice.audioOut`.

import type { LocalMedia } from "../../engine/media/local-media";
import { readStored, writeStored } from "../../stored";

const SPEAKER_KEY = "roomlink.speaker";

type SelectAudioOutput = (options?: { deviceId?: string }) => Promise<MediaDeviceInfo>;

/**
 * What this browser lets a page do about its audio output. `sink`: media elements can be sent to
 * a chosen device (setSinkId: Chromium, Firefox 116+). `select`: the browser's own picker
 * (selectAudioOutput: Firefox), which also lists devices enumerateDevices keeps back until one is
 * chosen. Neither (iOS Safari): the sound follows the system, and only the phone's controls move it.
 */
export function speakerSupport(): { sink: boolean; select: boolean } {
  const sink = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
  const select = sink && typeof (navigator.mediaDevices as { selectAudioOutput?: unknown } | undefined)?.selectAudioOutput === "function";
  return { sink, select };
}

/** Sends the call's sound to `deviceId` from now on, here and on the next visit. */
export function chooseSpeaker(media: LocalMedia, deviceId: string): void {
  writeStored(SPEAKER_KEY, deviceId);
  void media.setDevice("audioOut", deviceId);
}

/** A new visit starts with the speaker chosen last (a device gone since just falls back to the default). */
export function restoreSpeaker(media: LocalMedia): void {
  const stored = readStored(SPEAKER_KEY);
  if (stored && speakerSupport().sink) void media.setDevice("audioOut", stored);
}

/** The browser's own speaker picker (Firefox); its answer is chosen as any other. False if dismissed. */
export async function selectSpeaker(media: LocalMedia): Promise<boolean> {
  const select = (navigator.mediaDevices as { selectAudioOutput?: SelectAudioOutput }).selectAudioOutput;
  if (!select) return false;
  try {
    const device = await select.call(navigator.mediaDevices, media.state.choice.audioOut ? { deviceId: media.state.choice.audioOut } : {});
    chooseSpeaker(media, device.deviceId);
    return true;
  } catch {
    // Dismissed (NotAllowedError) or no output to offer (NotFoundError): the choice stays.
    return false;
  }
}
