// The recorder's browser side: MediaRecorder, getUserMedia, Web Audio and the clock, as
// RecorderDeps. Kept apart from recorder.ts so that its logic runs in Node with fakes.

import { listen } from "../listen";
import { openLevelMeter } from "../media/level-meter";
import type { RecorderDeps, RecorderEvents, RecorderHandle } from "./recorder";
import { fixWebmDuration } from "./webm-duration";

function mediaRecorder(track: MediaStreamTrack, options: MediaRecorderOptions, events: RecorderEvents): RecorderHandle {
  const recorder = new MediaRecorder(new MediaStream([track]), options);
  const unlisten = listen(recorder, {
    dataavailable: (e: BlobEvent) => events.data(e.data),
    stop: () => {
      unlisten();
      events.stop();
    },
    error: () => events.error(),
  });
  return {
    start: () => recorder.start(),
    stop: () => {
      if (recorder.state !== "inactive") recorder.stop();
    },
  };
}

/** `callTrack`: the call's microphone track, if it has one open (LocalMedia's `tracks.audio`). */
export function browserRecorderDeps(callTrack: () => MediaStreamTrack | null): RecorderDeps {
  return {
    callTrack,
    getUserMedia: (constraints) => {
      // Missing outside a secure context; mediaErrorCode reads a TypeError as that.
      const devices = globalThis.navigator?.mediaDevices;
      return devices?.getUserMedia ? devices.getUserMedia(constraints) : Promise.reject(new TypeError("getUserMedia is not available"));
    },
    isTypeSupported: typeof MediaRecorder === "undefined" ? undefined : (mimeType) => MediaRecorder.isTypeSupported(mimeType),
    createRecorder: mediaRecorder,
    openLevelMeter,
    now: () => performance.now(),
    every: (ms, run) => {
      const timer = setInterval(run, ms);
      return () => clearInterval(timer);
    },
    after: (ms, run) => {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    },
    fixWebmDuration,
  };
}
