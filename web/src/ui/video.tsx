import { useEffect, useRef } from "preact/hooks";
import { forget, play } from "./playback";

/** A <video> bound to a stream; unmuted for a remote peer, whose audio plays through it too. */
export function Video(props: { stream: MediaStream | null; muted?: boolean; mirrored?: boolean; fit?: "cover" | "contain"; sinkId?: string | null; testid?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (el.srcObject !== props.stream) el.srcObject = props.stream;
    // `autoplay` alone fails silently when the browser wants a gesture for sound; an explicit
    // play() says so (NotAllowedError), and "Tap to listen" appears. Muted video always autoplays.
    if (props.stream && !props.muted) play(el);
    return () => forget(el);
  }, [props.stream, props.muted]);
  useEffect(() => {
    const el = ref.current as (HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (el?.setSinkId && props.sinkId) void el.setSinkId(props.sinkId).catch(() => {});
  }, [props.sinkId]);
  return (
    <video
      ref={ref}
      autoplay
      playsInline
      muted={props.muted ?? false}
      class={`video${props.mirrored ? " mirrored" : ""}${props.fit === "contain" ? " contain" : ""}`}
      data-testid={props.testid}
    />
  );
}
