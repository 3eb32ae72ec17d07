import type { MediaState } from "../../../protocol/protocol";
import type { Participant } from "../engine/session/room-session";
import { useI18n } from "./hooks";
import { Icon } from "./icons";

interface PeoplePanelProps {
  self: string;
  selfMedia: MediaState;
  participants: Participant[];
  /** Everyone's label, same names told apart (room/distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
}

export function PeoplePanel({ self, selfMedia, participants, labels: names }: PeoplePanelProps) {
  const { t } = useI18n();
  const row = (key: string, name: string, media: MediaState) => (
    <li key={key} data-testid="person">
      <span class="name">{name}</span>
      <span class="icons">
        <Icon name="mic" off={!media.mic} />
        <Icon name="cam" off={!media.cam} />
        {media.screen && <Icon name="screen" />}
      </span>
    </li>
  );
  return (
    <section class="panel people" aria-label={t("room.people")}>
      <h2 data-testid="people-count">{t("room.participants", { count: participants.length + 1 })}</h2>
      <ul>
        {row("self", t("room.youSuffix", { name: self }), selfMedia)}
        {participants.map((p) => row(p.id, names.get(p.id) ?? p.name, p.media))}
      </ul>
    </section>
  );
}
