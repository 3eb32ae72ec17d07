// What the person should know about how media travels (features/transport.ts), at the top of the
// people panel: on the SFU, that the safety code no longer covers the call (DTLS ends at the
// server, so there is nothing end to end to compare); in a meeting that is full on the mesh with
// no SFU to move to, why nobody else gets in.

import type { TransportView } from "../engine/session/session-state";
import { useI18n } from "./hooks";

interface TransportNotesProps {
  transport: TransportView;
  /** Everyone in the room, us included. */
  people: number;
  /** The meeting's cap (welcome.settings.capacity); null before the welcome. */
  capacity: number | null;
  meeting: boolean;
}

export function TransportNotes({ transport, people, capacity, meeting }: TransportNotesProps) {
  const { t } = useI18n();
  const meshFull = meeting && !transport.sfu && capacity !== null && people >= capacity;
  return (
    <>
      {transport.kind === "sfu" && (
        <p class="hint" data-testid="sfu-safety-note">
          {t("transport.sfuSafety")}
        </p>
      )}
      {meshFull && (
        <p class="hint" data-testid="mesh-limit-note">
          {t("transport.meshLimit", { count: capacity })}
        </p>
      )}
    </>
  );
}
