// One line of the people panel: a name, its role, its raised hand and what it publishes, and the
// menu of what we may do to that person (send a file, ask to mute, make co-host, move on or off
// the stage, remove). What each role may do comes from powers.ts; a file goes to whoever we have
// a connection with, or anyone present on the SFU (files/reachable.ts), whatever our role.

import { MAX_SPEAKERS, type MediaState, type Role, type Seat, type TransportKind } from "../../../protocol/protocol";
import { can, canManage } from "../engine/features/powers";
import type { Participant } from "../engine/session/room-session";
import { PickFiles } from "./files/pick-files";
import { canSendTo } from "./files/reachable";
import { useI18n } from "./hooks";
import { Icon } from "./icons";
import type { PeerSafety } from "../engine/features/safety";
import { PersonSafety } from "./safety/person-safety";

/** What we may do to one person: a host's powers, and a file for anyone. */
export interface PersonActions {
  setRole: (id: string, role: "cohost" | "member") => void;
  askMute: (id: string) => void;
  remove: (id: string) => void;
  setSeat: (id: string, seat: Seat) => void;
  sendFiles: (files: readonly File[], to: string | null) => void;
  /** Their changed safety code was compared again (features/safety.ts). */
  dismissSafety: (id: string) => void;
}

/** The person's place on a stage, as this row shows it; null in a meeting. */
export interface RowStage {
  handUp: boolean;
  /** The stage has MAX_SPEAKERS: nobody more can be invited up. */
  speakersFull: boolean;
}

export function RoleBadge({ role }: { role: Role }) {
  const { t } = useI18n();
  return role === "member" ? null : <span class={`role ${role}`} data-testid="role">{t(`role.${role}`)}</span>;
}

export function HandBadge() {
  const { t } = useI18n();
  return <span class="hand" title={t("stage.handRaised")} data-testid="hand"><Icon name="hand" /><span class="sr-only">{t("stage.handRaised")}</span></span>;
}

/** What someone publishes; nothing for a stage's viewer, who publishes nothing. */
export function MediaIcons({ media }: { media: MediaState }) {
  return (
    <span class="icons">
      <Icon name="mic" off={!media.mic} />
      <Icon name="cam" off={!media.cam} />
      {media.screen && <Icon name="screen" />}
    </span>
  );
}

interface SelfRowProps {
  label: string;
  role: Role;
  /** Null while we watch a stage. */
  media: MediaState | null;
  handUp: boolean;
  seat: Seat;
}

export function SelfRow({ label, role, media, handUp, seat }: SelfRowProps) {
  const { t } = useI18n();
  return (
    <li data-testid="person" data-role={role} data-seat={seat} data-hand={handUp ? "up" : undefined}>
      <div class="person">
        <span class="name">{t("room.youSuffix", { name: label })}</span>
        <RoleBadge role={role} />
        {handUp && <HandBadge />}
        {media && <MediaIcons media={media} />}
      </div>
    </li>
  );
}

interface PersonRowProps {
  person: Participant;
  label: string;
  selfRole: Role;
  stage: RowStage | null;
  expanded: boolean;
  setExpanded: (open: boolean) => void;
  actions: PersonActions;
  /** Removal asks first: the panel owns the confirmation. */
  onRemove: (id: string, name: string) => void;
  /** Our safety code with them, once the connection has negotiated. */
  safety?: PeerSafety | undefined;
  /** Mesh or SFU: whom a file can go to (files/reachable.ts). */
  transport: TransportKind;
}

export function PersonRow({ person: p, label: name, selfRole, stage, expanded, setExpanded, actions, onRemove, safety, transport }: PersonRowProps) {
  const { t } = useI18n();
  const manage = canManage(selfRole, p.role);
  const mute = can(selfRole, "ask-mute") && p.media.mic;
  // Moving people on and off a stage; a host's own seat is not a co-host's to take.
  const seatMenu = stage !== null && can(selfRole, "set-seat") && (p.seat === "viewer" || p.role !== "host" || selfRole === "host") ? stage : null;
  const publishes = stage === null || p.seat === "speaker";
  const sendFile = canSendTo(p, transport);
  const fullId = `stage-full-${p.id}`;
  const act = (fn: () => void) => () => {
    fn();
    setExpanded(false);
  };
  return (
    <li data-testid="person" data-peer={p.id} data-role={p.role} data-seat={p.seat} data-hand={stage?.handUp ? "up" : undefined} data-safety={safety?.changed ? "changed" : undefined}>
      <div class="person">
        <span class="name">{name}</span>
        <RoleBadge role={p.role} />
        {stage?.handUp && <HandBadge />}
        {publishes && <MediaIcons media={p.media} />}
        {(manage || mute || seatMenu || sendFile) && (
          <button class="more" aria-expanded={expanded} aria-controls={`actions-${p.id}`} aria-label={t("person.actions", { name })} onClick={() => setExpanded(!expanded)} data-testid="person-menu">
            <Icon name="more" />
          </button>
        )}
      </div>
      {safety && <PersonSafety safety={safety} onChecked={() => actions.dismissSafety(p.id)} />}
      {expanded && (
        <div class="person-actions" id={`actions-${p.id}`}>
          {/* The menu closes once files are picked: closing it at the click would take the input (and its change) away. */}
          {sendFile && (
            <PickFiles
              onPick={(files) => {
                actions.sendFiles(files, p.id);
                setExpanded(false);
              }}
              label={t("files.send")}
              testid="person-send-file"
              inputTestid="person-file-input"
            >
              {t("files.send")}
            </PickFiles>
          )}
          {seatMenu && p.seat === "viewer" && (
            <button onClick={act(() => actions.setSeat(p.id, "speaker"))} disabled={seatMenu.speakersFull} aria-describedby={seatMenu.speakersFull ? fullId : undefined} data-testid="invite-stage">
              {t("stage.invite")}
            </button>
          )}
          {seatMenu && p.seat === "speaker" && <button onClick={act(() => actions.setSeat(p.id, "viewer"))} data-testid="move-audience">{t("stage.moveToAudience")}</button>}
          {mute && <button onClick={act(() => actions.askMute(p.id))} data-testid="ask-mute">{t("person.askMute")}</button>}
          {manage && p.role !== "cohost" && <button onClick={act(() => actions.setRole(p.id, "cohost"))} data-testid="make-cohost">{t("person.makeCohost")}</button>}
          {manage && p.role === "cohost" && <button onClick={act(() => actions.setRole(p.id, "member"))} data-testid="unmake-cohost">{t("person.unmakeCohost")}</button>}
          {manage && <button class="danger" onClick={act(() => onRemove(p.id, name))} data-testid="remove">{t("person.remove")}</button>}
          {seatMenu && p.seat === "viewer" && seatMenu.speakersFull && <p id={fullId} class="hint">{t("stage.speakersFull", { count: MAX_SPEAKERS })}</p>}
        </div>
      )}
    </li>
  );
}
