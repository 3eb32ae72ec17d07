// What a member finds again of its relayed files when it resumes (protocol/features/file-relay.ts,
// step 5): frames the room sent while its socket was down (an offer, the upload URL, the ready,
// an end) went nowhere, so its welcome says where each of its transfers stands instead, and which
// ended lately. Built from the room's rows alone, so a resume after the Durable Object slept
// gets the same answer. Bounded by the rations: FILE_OPEN_FROM_ONE + FILE_OPEN_TO_ONE open,
// FILE_RELAY_ENDS_KEPT ends.

import type { RelayHeld, RelaySnapshot } from "../../../protocol/protocol";
import type { FileRelay } from "../ports";
import type { RoomState } from "../state";

/** The URL a step hands out again: the sender's upload capability, the recipient's download. */
const uploadUrl = (room: RoomState, r: FileRelay) => `/api/rooms/${room.deps.room}/files/${r.key}?cap=${r.cap}`;
const downloadUrl = (room: RoomState, r: FileRelay) => `/api/rooms/${room.deps.room}/files/${r.key}`;

function held(room: RoomState, r: FileRelay, id: string): RelayHeld {
  if (r.from === id) {
    // A capability is handed out only while it is unspent (accepted): a PUT has it otherwise.
    const url = r.state === "accepted" && r.key !== null && r.cap !== null ? uploadUrl(room, r) : null;
    return { side: "from-you", transfer: r.transfer, to: r.to, step: url === null && r.state === "accepted" ? "uploading" : r.state, url };
  }
  const { transfer, from, name, size, mime } = r;
  // The recipient waits the same whether the upload has started or not.
  const stored = r.state === "stored" && r.key !== null;
  const step = stored ? "stored" : r.state === "offered" ? "offered" : "accepted";
  return { side: "to-you", transfer, from, name, size, mime, id: r.id, step, url: stored ? downloadUrl(room, r) : null };
}

/** `welcome.files` for member `id`: its open transfers, and the ends kept for it (none of them still open). */
export function relaysFor(room: RoomState, id: string): RelaySnapshot {
  const open = room.relays.all().filter((r) => r.from === id || r.to === id);
  const ids = new Set(open.map((r) => r.transfer));
  return { open: open.map((r) => held(room, r, id)), ended: room.relays.endsFor(id).filter((e) => !ids.has(e.transfer)) };
}
