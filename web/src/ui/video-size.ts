// How big each remote camera tile is drawn, reported to the session (RoomSession.actions.videoSize)
// so that on the SFU the layer pulled of that camera fits the tile (engine/sfu/layer-choice.ts).
// Handed down once from the room instead of through every layout's props; a ResizeObserver per
// tile reports in device pixels (a 200 px tile on a 2× screen shows 400 rows).

import { type ComponentChildren, createContext, h, type JSX, type RefObject } from "preact";
import { useContext, useEffect } from "preact/hooks";

type Report = (peerId: string, width: number, height: number) => void;

const VideoSizeContext = createContext<Report | null>(null);

/** `tree` with `report` handed to every tile in it. */
export const withVideoSize = (report: Report, tree: ComponentChildren): JSX.Element => h(VideoSizeContext.Provider, { value: report }, tree);

/** Reports a remote camera tile's drawn size while it is mounted (nothing for our own, or for a screen). */
export function useVideoSize(ref: RefObject<HTMLElement | null>, peerId: string, remoteCamera: boolean): void {
  const report = useContext(VideoSizeContext);
  useEffect(() => {
    const el = ref.current;
    if (!report || !remoteCamera || !el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const scale = globalThis.devicePixelRatio || 1;
      report(peerId, Math.round(entry.contentRect.width * scale), Math.round(entry.contentRect.height * scale));
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      // Unmounted (hidden, or gone): the size is unknown again.
      report(peerId, 0, 0);
    };
  }, [report, peerId, remoteCamera]);
}
