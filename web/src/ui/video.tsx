import { useEffect, useRef } from "preact/hooks";

/** A <video> bound to a stream. Audio of remote peers plays through a separate element. */
export function Video(props: { stream: MediaStream | null; muted?: boolean; mirrored?: boolean; fit?: "cover" | "contain"; sinkId?: string | null; testid?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== props.stream) el.srcObject = props.stream;
  }, [props.stream]);
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
