// What a recording really is, from its first bytes: the upload's declared type is the client's
// word, and a file served from this origin must be what its Content-Type says (with nosniff, the
// browser will not second-guess it). Pure, so it is unit-tested in Node.
//
// The signatures (FEATURES §5; the WHATWG MIME Sniffing standard, §6.2 "audio or video"):
// - WebM: an EBML header (1A 45 DF A3) whose DocType is "webm", not Matroska's "matroska";
// - MP4: a box of type 'ftyp' first (the type at offset 4, after the box size);
// - Ogg: a page header, "OggS".

import type { VoiceType } from "../../protocol/features/voice";

/** Bytes enough to tell: the EBML header with its DocType fits in the first 64 of a recorder's WebM. */
export const SNIFF_BYTES = 64;

const EBML = [0x1a, 0x45, 0xdf, 0xa3];
/** The EBML DocType element: id 42 82, a one-byte size (84: four bytes), then the name. */
const DOCTYPE_WEBM = [0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]; // … "webm"
const FTYP = [0x66, 0x74, 0x79, 0x70]; // "ftyp"
const OGGS = [0x4f, 0x67, 0x67, 0x53]; // "OggS"

const at = (bytes: Uint8Array, offset: number, sig: readonly number[]) => sig.every((b, i) => bytes[offset + i] === b);

function contains(bytes: Uint8Array, sig: readonly number[], limit: number): boolean {
  const end = Math.min(bytes.length, limit) - sig.length;
  for (let i = 0; i <= end; i++) if (at(bytes, i, sig)) return true;
  return false;
}

/** Which allowed container these bytes begin, or null for anything else. */
export function sniffVoice(head: Uint8Array): VoiceType | null {
  if (at(head, 0, EBML)) return contains(head, DOCTYPE_WEBM, SNIFF_BYTES) ? "audio/webm" : null;
  if (head.length >= 8 && at(head, 4, FTYP)) return "audio/mp4";
  if (at(head, 0, OGGS)) return "audio/ogg";
  return null;
}
