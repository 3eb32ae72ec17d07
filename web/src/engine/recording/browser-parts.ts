// The recorder's parts in a real browser: MediaRecorder, the capture, OPFS and the file picker
// (recorder.ts takes them injected, so its states can be tested without a browser).

import { Capture } from "./capture";
import { pickMimeType } from "./formats";
import { claimFreeName } from "./leftovers";
import { OpfsSink, recordingsDir } from "./opfs-sink";
import { PickedSink } from "./picked-sink";
import type { RecorderParts, SaveFilePicker } from "./recorder";

export function canRecord(): boolean {
  if (typeof MediaRecorder === "undefined" || typeof AudioContext === "undefined") return false;
  // OPFS is where a recording goes when no file is picked (and the picker is Chromium-desktop only).
  if (typeof navigator.storage?.getDirectory !== "function") return false;
  return pickMimeType((t) => MediaRecorder.isTypeSupported(t)) !== null;
}

export const browserParts: RecorderParts = {
  mimeType: () => (canRecord() ? pickMimeType((t) => MediaRecorder.isTypeSupported(t)) : null),
  estimate: () => navigator.storage.estimate(),
  get picker() {
    const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
    return picker ? picker.bind(globalThis) : null;
  },
  async openOpfs(suggested) {
    const claimed = await claimFreeName(suggested);
    try {
      return { name: claimed.name, sink: await OpfsSink.create(claimed.name), release: claimed.release };
    } catch (e) {
      claimed.release();
      throw e;
    }
  },
  openPicked: (handle) => PickedSink.open(handle),
  async readOpfs(name) {
    return (await (await recordingsDir()).getFileHandle(name)).getFile();
  },
  async removeOpfs(name) {
    await (await recordingsDir()).removeEntry(name);
  },
  capture: (sources, onSecond) => new Capture(sources, onSecond),
  encoder: (stream, options) => new MediaRecorder(stream, options),
  now: () => performance.now(),
};
