// Everything presence adds to one tile, as one element in it (tile.tsx): the speaking ring, and in
// the tile's lower right corner a raised hand with its place in line, a microphone that moves with
// the voice (the caption keeps its "mic off" badge while muted), and, for another person, the
// connection's bars, which open its details; over it all, that person's reactions.

import { useI18n } from "../hooks";
import { Icon } from "../icons";
import { peerOf, usePresence } from "./context";
import { TileReactions } from "./floating-reactions";
import { MicLevel } from "./mic-level";
import { Popover } from "./popover";
import { LinkDetails } from "./quality-details";
import { QualityBars } from "./quality-bars";
import { gradeText } from "./quality-text";
import "./presence.css";

interface TilePresenceProps {
  /** The tile's id: a peer id, or "self" / "self-screen" for this device's. */
  peerId: string;
  kind: "camera" | "screen";
  self?: boolean | undefined;
  /** Whether the person's microphone is on: the moving microphone only then. */
  mic: boolean;
}

export function TilePresence({ peerId, kind, self = false, mic }: TilePresenceProps) {
  const say = useI18n();
  const { t } = say;
  const info = usePresence();
  const id = peerOf(peerId, info);
  // A shared screen is the same person's second tile: its ring, hand and reactions are on the camera's.
  if (kind !== "camera" || id === null) return null;
  const speaking = info.presence.speaking.includes(id);
  const name = info.labels.get(id) ?? "";
  const place = info.hands.indexOf(id);
  const quality = self ? undefined : info.presence.quality[id];
  const reactions = info.reactions.filter((r) => r.from === id);
  return (
    <>
      {speaking && (
        <div class="speaking-ring" data-testid="speaking">
          <span class="sr-only">{t("presence.speaking")}</span>
        </div>
      )}
      <div class="tile-status">
        {place >= 0 && (
          <span class="tile-hand" title={t("hands.badge", { n: place + 1 })} data-testid="tile-hand" data-place={place + 1}>
            <Icon name="hand" />
            <span aria-hidden="true">{place + 1}</span>
            <span class="sr-only">{t("hands.badge", { n: place + 1 })}</span>
          </span>
        )}
        {mic && <MicLevel peerId={id} feed={info.levels} />}
        {quality && (
          <Popover
            button={{ class: "quality-button", label: t("quality.button", { name, grade: gradeText(quality.grade, say) }), testid: "quality-button", content: <QualityBars grade={quality.grade} /> }}
            panel={{ class: "quality-pop", label: t("quality.with", { name }), testid: "quality-details" }}
          >
            {() => <LinkDetails title={t("quality.with", { name })} quality={quality} />}
          </Popover>
        )}
      </div>
      <TileReactions items={reactions} name={name} />
    </>
  );
}
