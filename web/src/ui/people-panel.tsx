// Who is in the room. In a meeting, one list. On a stage, two: who is on the stage, and who is
// watching, with raised hands first in the order they went up (so that a host answers them in
// turn); a host or co-host moves people between the two from each person's menu.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { MAX_SPEAKERS, type MediaState, type Role } from "../../../protocol/protocol";
import { can } from "../engine/features/powers";
import type { Participant } from "../engine/session/room-session";
import type { StageView } from "../engine/session/session-state";
import { Confirm } from "./dialog";
import { useI18n } from "./hooks";
import { HandsSection } from "./presence/hands-section";
import { PersonRow, SelfRow, type PersonActions, type RowStage } from "./person-row";
import type { SafetyView } from "../engine/features/safety";
import { RoomSafety } from "./safety/room-safety";
import { TransportNotes } from "./transport-notes";
import type { TransportView } from "../engine/session/session-state";

export type { PersonActions };

interface PeoplePanelProps {
  self: string;
  selfId: string | null;
  selfMedia: MediaState;
  selfRole: Role;
  participants: Participant[];
  /** Everyone's label, same names told apart (room/distinct-names.ts). */
  labels: ReadonlyMap<string, string>;
  actions: PersonActions;
  stage: StageView;
  /** Hands down: everyone's (present for a host or co-host), and our own. */
  hands: { onLowerAll?: (() => void) | undefined; onLowerOwn: () => void };
  /** Safety codes: each person's, and the room's (features/safety.ts). */
  safety: SafetyView;
  /** Mesh or SFU (features/transport.ts), and the meeting's cap: the notes under the heading. */
  transport: TransportView;
  capacity: number | null;
  /** Viewers in the crowd that the roster does not list (engine/features/crowd-count.ts): a count, not names. */
  unlisted: number;
}

export function PeoplePanel({ self, selfId, selfMedia, selfRole, participants, labels: names, actions, stage, hands, safety, transport, capacity, unlisted }: PeoplePanelProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const onStage = stage.mode === "stage";
  const onSfu = transport.kind === "sfu";
  const selfSpeaks = stage.seat === "speaker";
  const hand = (id: string | null) => id !== null && stage.hands.includes(id);

  const row = (p: Participant, rowStage: RowStage | null) => (
    <PersonRow
      key={p.id}
      person={p}
      label={names.get(p.id) ?? p.name}
      selfRole={selfRole}
      stage={rowStage}
      expanded={open === p.id}
      setExpanded={(on) => setOpen(on ? p.id : null)}
      actions={actions}
      onRemove={(id, name) => setRemoving({ id, name })}
      // On the SFU the mesh's codes no longer describe the call (DTLS ends at the server): none is shown.
      safety={onSfu ? undefined : safety.peers[p.id]}
      transport={transport.kind}
    />
  );
  const selfRow = <SelfRow key="self" label={self} role={selfRole} media={selfSpeaks ? selfMedia : null} handUp={onStage && hand(selfId)} seat={stage.seat} />;

  // Raised hands first, in the order raised, in a meeting as on a stage; on a stage a viewer
  // sees no other viewer's name (as in its lists below), a speaker's and its own only.
  const seesViewers = !onStage || selfSpeaks || can(selfRole, "set-seat");
  const speakerIds = new Set(participants.filter((p) => p.seat === "speaker").map((p) => p.id));
  const handsSection = (
    <HandsSection
      hands={stage.hands}
      selfId={selfId}
      labels={names}
      shows={(id) => seesViewers || speakerIds.has(id)}
      onLowerAll={hands.onLowerAll}
      onLowerOwn={hands.onLowerOwn}
    />
  );

  let lists: JSX.Element;
  if (!onStage) {
    lists = (
      <ul>
        {selfRow}
        {participants.map((p) => row(p, null))}
      </ul>
    );
  } else {
    const speakers = participants.filter((p) => p.seat === "speaker");
    const viewers = participants.filter((p) => p.seat === "viewer");
    const speakersFull = speakers.length + (selfSpeaks ? 1 : 0) >= MAX_SPEAKERS;
    const watching = viewers.length + (selfSpeaks ? 0 : 1) + unlisted;
    // Viewers' names are for the speakers and the hosts. A viewer sees how many watch, and itself:
    // a plain viewer's roster has no other viewers anyway (the crowd, protocol/features/crowd.ts);
    // one outside the crowd (a recorder) still gets a panel about the stage, not the audience.
    const viewerNames = selfSpeaks || can(selfRole, "set-seat");
    // Raised hands first, oldest first; the rest keep the roster's order (the sort is stable).
    const rank = (id: string | null) => (id === null ? -1 : stage.hands.indexOf(id));
    const order = (id: string | null) => (rank(id) < 0 ? Number.MAX_SAFE_INTEGER : rank(id));
    const audience: Array<Participant | "self"> = [...(selfSpeaks ? [] : ["self" as const]), ...(viewerNames ? viewers : [])];
    audience.sort((a, b) => order(a === "self" ? selfId : a.id) - order(b === "self" ? selfId : b.id));
    lists = (
      <div class="stage-lists">
        <h3 data-testid="on-stage-heading">{t("stage.onStage")}</h3>
        <ul data-testid="on-stage">
          {selfSpeaks && selfRow}
          {speakers.map((p) => row(p, { handUp: hand(p.id), speakersFull }))}
        </ul>
        <h3 data-testid="watching-heading" data-count={watching}>{t("stage.audience", { count: watching })}</h3>
        <ul data-testid="watching">
          {audience.map((p) => (p === "self" ? selfRow : row(p, { handUp: hand(p.id), speakersFull })))}
          {unlisted > 0 && (
            <li class="crowd-more hint" data-testid="crowd-more" data-count={unlisted}>
              {t("stage.moreWatching", { count: unlisted })}
            </li>
          )}
        </ul>
      </div>
    );
  }

  return (
    <section class="panel people" aria-label={t("room.people")}>
      <h2 data-testid="people-count">{t("room.participants", { count: participants.length + 1 + unlisted })}</h2>
      {selfRole === "temp-host" && <p class="hint">{t("settings.tempHost")}</p>}
      {safety.room && !onSfu && <RoomSafety code={safety.room} />}
      <TransportNotes transport={transport} people={participants.length + 1} capacity={capacity} meeting={!onStage} />
      {handsSection}
      {lists}
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
