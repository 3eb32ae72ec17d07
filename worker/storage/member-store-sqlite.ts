// The durable roster in the Durable Object's SQLite storage: who is in the room, with their
// resume tokens, roles, seats, raised hands, media tokens and recordings, so that members survive
// hibernation and eviction. Plus the room's one piece of housekeeping state (when it became empty, for chat retention).

import { isRecordingKind, isRole, isSeat, type RecordingInfo, type SfuPublication, sfuPublication } from "../../protocol/protocol";
import type { MemberStore, StoredMember } from "../room/ports";
import { MetaTime } from "./meta-time";
import type { SchemaState } from "./schema";

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  mic: number;
  cam: number;
  screen: number;
  joined: number;
  token: string;
  away_since: number | null;
  role: string;
  prev_token: string | null;
  device: string | null;
  addr: string | null;
  seat: string;
  hand: number | null;
  media_token: string | null;
  recording_kind: string | null;
  recording_since: number | null;
  sfu_session: string | null;
  sfu_tracks: string | null;
}

/**
 * A stored recording. A kind this code does not know (a newer deploy's, rolled back) reads as
 * none: this code's clients could not show it; the member's own client says so again if it goes on.
 */
function recordingOf(r: Row): RecordingInfo | null {
  return isRecordingKind(r.recording_kind) && r.recording_since !== null ? { kind: r.recording_kind, since: r.recording_since } : null;
}

/** A stored publication, checked as a frame's would be: one this code cannot read is none (its member announces again). */
function sfuOf(r: Row): SfuPublication | null {
  if (r.sfu_session === null || r.sfu_tracks === null) return null;
  try {
    return sfuPublication({ session: r.sfu_session, tracks: JSON.parse(r.sfu_tracks) });
  } catch {
    return null;
  }
}

export class SqliteMemberStore implements MemberStore {
  /** When the room became empty (it is asked on every join and leave). */
  private readonly empty: MetaTime;
  /** A new room: nothing stored yet, until the first write. */
  private blank: boolean;

  /** The tables exist (see schema.ts); `fresh`: they were just created, so they are empty. */
  constructor(private readonly sql: SqlStorage, { fresh }: SchemaState) {
    this.blank = fresh;
    this.empty = new MetaTime(sql, "empty_since", fresh);
  }

  all(): StoredMember[] {
    if (this.blank) return [];
    return this.sql.exec<Row>("SELECT * FROM members").toArray().map((r) => ({
      id: r.id,
      name: r.name,
      media: { mic: r.mic === 1, cam: r.cam === 1, screen: r.screen === 1 },
      joined: r.joined,
      token: r.token,
      // Storage is trusted, but a role this code does not know grants nothing.
      role: isRole(r.role) ? r.role : "member",
      prevToken: r.prev_token,
      awaySince: r.away_since,
      device: r.device,
      addr: r.addr,
      // A seat this code does not know publishes nothing.
      seat: isSeat(r.seat) ? r.seat : "viewer",
      hand: r.hand,
      mediaToken: r.media_token,
      recording: recordingOf(r),
      sfu: sfuOf(r),
    }));
  }

  put(m: StoredMember): void {
    this.blank = false;
    this.sql.exec(
      "INSERT OR REPLACE INTO members (id, name, mic, cam, screen, joined, token, away_since, role, prev_token, device, addr, seat, hand, media_token, recording_kind, recording_since, sfu_session, sfu_tracks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      m.id, m.name, m.media.mic ? 1 : 0, m.media.cam ? 1 : 0, m.media.screen ? 1 : 0, m.joined, m.token, m.awaySince, m.role, m.prevToken, m.device, m.addr, m.seat, m.hand, m.mediaToken,
      m.recording?.kind ?? null, m.recording?.since ?? null, m.sfu?.session ?? null, m.sfu ? JSON.stringify(m.sfu.tracks) : null,
    );
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM members WHERE id = ?", id);
  }

  emptySince(): number | null {
    return this.empty.get();
  }

  setEmptySince(at: number | null): void {
    if (this.empty.set(at)) this.blank = false;
  }
}
