import { useState } from "preact/hooks";
import type { MediaState, Role } from "../../../protocol/protocol";
import { can, canManage } from "../engine/features/powers";
import type { Participant } from "../engine/session/room-session";
import { Confirm } from "./dialog";
import { useI18n } from "./hooks";
import { Icon } from "./icons";

/** What a host may do to one person (each returns whether it went out). */
export interface PersonActions {
  setRole: (id: string, role: "cohost" | "member") => void;
  askMute: (id: string) => void;
  remove: (id: string) => void;
}

interface PeoplePanelProps {
  self: string;
  selfMedia: MediaState;
  selfRole: Role;
  participants: Participant[];
  /** Everyone's label, same names told apart (room/distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
  actions: PersonActions;
}

export function PeoplePanel({ self, selfMedia, selfRole, participants, labels: names, actions }: PeoplePanelProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);

  const badge = (role: Role) => role !== "member" && <span class={`role ${role}`} data-testid="role">{t(`role.${role}`)}</span>;
  const icons = (media: MediaState) => (
    <span class="icons">
      <Icon name="mic" off={!media.mic} />
      <Icon name="cam" off={!media.cam} />
      {media.screen && <Icon name="screen" />}
    </span>
  );

  const person = (p: Participant) => {
    const name = names.get(p.id) ?? p.name;
    const manage = canManage(selfRole, p.role);
    const mute = can(selfRole, "ask-mute") && p.media.mic;
    const menu = manage || mute;
    const expanded = open === p.id;
    const act = (fn: () => void) => () => {
      fn();
      setOpen(null);
    };
    return (
      <li key={p.id} data-testid="person" data-peer={p.id} data-role={p.role}>
        <div class="person">
          <span class="name">{name}</span>
          {badge(p.role)}
          {icons(p.media)}
          {menu && (
            <button class="more" aria-expanded={expanded} aria-controls={`actions-${p.id}`} aria-label={t("person.actions", { name })} onClick={() => setOpen(expanded ? null : p.id)} data-testid="person-menu">
              <Icon name="more" />
            </button>
          )}
        </div>
        {expanded && (
          <div class="person-actions" id={`actions-${p.id}`}>
            {mute && <button onClick={act(() => actions.askMute(p.id))} data-testid="ask-mute">{t("person.askMute")}</button>}
            {manage && p.role !== "cohost" && <button onClick={act(() => actions.setRole(p.id, "cohost"))} data-testid="make-cohost">{t("person.makeCohost")}</button>}
            {manage && p.role === "cohost" && <button onClick={act(() => actions.setRole(p.id, "member"))} data-testid="unmake-cohost">{t("person.unmakeCohost")}</button>}
            {manage && <button class="danger" onClick={act(() => setRemoving({ id: p.id, name }))} data-testid="remove">{t("person.remove")}</button>}
          </div>
        )}
      </li>
    );
  };

  return (
    <section class="panel people" aria-label={t("room.people")}>
      <h2 data-testid="people-count">{t("room.participants", { count: participants.length + 1 })}</h2>
      {selfRole === "temp-host" && <p class="hint">{t("settings.tempHost")}</p>}
      <ul>
        <li key="self" data-testid="person" data-role={selfRole}>
          <div class="person">
            <span class="name">{t("room.youSuffix", { name: self })}</span>
            {badge(selfRole)}
            {icons(selfMedia)}
          </div>
        </li>
        {participants.map(person)}
      </ul>
      {removing && (
        <Confirm
          title={t("person.remove")}
          text={t("remove.confirm", { name: removing.name })}
          action={t("remove.do")}
          cancel={t("dialog.cancel")}
          onConfirm={() => {
            actions.remove(removing.id);
            setRemoving(null);
          }}
          onCancel={() => setRemoving(null)}
          testid="confirm-remove"
        />
      )}
    </section>
  );
}
