// Media that the background paused (FEATURES §11, "Background"): Safari pauses the page's video
// and audio elements when it goes to the background and does not play them again when it comes
// back (twilio-video.js#1197), so remote people stay frozen and silent. On the way back every
// paused element that holds a stream is played again (playback.ts keeps any the browser refuses
// for the next tap). The engine side of coming back (tracks, socket, ICE) is engine/phone/comeback.ts.

import { useEffect } from "preact/hooks";
import { play } from "../playback";

/** Plays again every paused <video> and <audio> that holds a stream. */
export function replayPaused(root: ParentNode = document): number {
  let count = 0;
  for (const el of root.querySelectorAll<HTMLMediaElement>("video, audio")) {
    if (el.paused && el.srcObject) {
      play(el);
      count++;
    }
  }
  return count;
}

/** While mounted (a call): replays paused media whenever the page comes back to the front. */
export function useReplayOnReturn(): void {
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === "visible") replayPaused();
    };
    const onPageShow = (e: PageTransitionEvent) => {
      if (e.persisted) replayPaused();
    };
    document.addEventListener("visibilitychange", onVisibility);
    addEventListener("pageshow", onPageShow);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      removeEventListener("pageshow", onPageShow);
    };
  }, []);
}
