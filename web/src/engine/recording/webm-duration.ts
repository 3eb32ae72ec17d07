// The WebM Duration, written into a recording that is already on disk, by patching its head in
// place: MediaRecorder streams WebM and never goes back for the Duration, so without this a
// player reports Infinity and cannot seek (FEATURES §7).
//
// Why not fix-webm-duration (which the voice messages use, on blobs of a few hundred KB)? It reads
// the whole file into memory (FileReader.readAsArrayBuffer), then *appends* a Duration element to
// Info and re-serialises Info, Segment and the file: every byte after Info moves. On the head
// alone it cannot work either, since it rewrites the Segment's size from what it parsed. A
// recording is gigabytes on disk, so we neither read it whole nor shift it.
//
// Instead the Duration takes the place of bytes Info already has, with the same total size:
// Chromium's Info is TimecodeScale + MuxingApp "Chrome" + WritingApp "Chrome" (9 bytes each), and
// a 4-byte float Duration (7 bytes) plus a 2-byte Void fills WritingApp's place exactly. Players
// skip Void (Matroska's padding element, RFC 9559) and never read WritingApp, which only names the
// program (a strict validator such as mkvalidator would note it missing). A Duration already
// there (some muxers write a 0 placeholder) is overwritten in place. A float32 holds whole
// milliseconds exactly up to 2^24 ms, about 4.6 hours, and within a millisecond or two beyond.
// The patch is a few bytes at a known offset: one positional write, no copy of the file.

const ID_EBML = 0x1a45dfa3;
const ID_SEGMENT = 0x18538067;
const ID_INFO = 0x1549a966;
const ID_TIMECODE_SCALE = 0x2ad7b1;
const ID_DURATION = 0x4489;
const ID_VOID = 0xec;
const ID_WRITING_APP = 0x5741;
const ID_MUXING_APP = 0x4d80;
const ID_CLUSTER = 0x1f43b675;

/** How much of the file's start to read: Chromium's Info ends before byte 60. */
export const WEBM_HEAD_BYTES = 4096;

export interface HeadPatch {
  /** Where in the file to write `bytes`. */
  position: number;
  bytes: Uint8Array;
}

interface Element {
  id: number;
  /** Offset of the ID, of the data, and of the byte after the element (Infinity: unknown size). */
  start: number;
  dataStart: number;
  end: number;
}

/** An EBML variable-length integer at `at`: its length and value (with the marker kept for IDs). */
function readVint(b: Uint8Array, at: number, keepMarker: boolean): { length: number; value: number; unknown: boolean } | null {
  const first = b[at];
  if (first === undefined || first === 0) return null;
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length++;
  if (at + length > b.length || length > 8) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = b[at + i]!;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { length, value, unknown: !keepMarker && allOnes };
}

function readElement(b: Uint8Array, at: number): Element | null {
  const id = readVint(b, at, true);
  if (!id) return null;
  const size = readVint(b, at + id.length, false);
  if (!size) return null;
  const dataStart = at + id.length + size.length;
  return { id: id.value, start: at, dataStart, end: size.unknown ? Infinity : dataStart + size.value };
}

function readUint(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 256 + b[i]!;
  return v;
}

/** The Duration element, float64 when it fits in `room` bytes, else float32. */
function durationElement(value: number, room: number): Uint8Array | null {
  const wide = room === 11 || room >= 13;
  if (!wide && room !== 7 && room < 9) return null;
  const out = new Uint8Array(wide ? 11 : 7);
  out.set([0x44, 0x89, wide ? 0x88 : 0x84]);
  const view = new DataView(out.buffer);
  if (wide) view.setFloat64(3, value);
  else view.setFloat32(3, value);
  return out;
}

/** A Void element of exactly `total` bytes (0, or 2 and up). */
function voidElement(total: number): Uint8Array {
  const out = new Uint8Array(total);
  if (total === 0) return out;
  out[0] = ID_VOID;
  if (total - 2 <= 126) {
    out[1] = 0x80 | (total - 2);
  } else {
    // A 2-byte size for larger gaps (never for Chromium's 2 bytes, but an Info may differ).
    const n = total - 3;
    out[1] = 0x40 | (n >> 8);
    out[2] = n & 0xff;
  }
  return out;
}

/**
 * The bytes to write so that the file whose first bytes are `head` says it lasts `durationMs`;
 * null if the head is not WebM as expected (the file is then left as it is: it still plays, it
 * just has no duration).
 */
export function webmDurationPatch(head: Uint8Array, durationMs: number): HeadPatch | null {
  const ebml = readElement(head, 0);
  if (!ebml || ebml.id !== ID_EBML || ebml.end > head.length) return null;
  const segment = readElement(head, ebml.end);
  if (!segment || segment.id !== ID_SEGMENT) return null;
  let info: Element | null = null;
  for (let at = segment.dataStart; at < head.length; ) {
    const child = readElement(head, at);
    if (!child || child.id === ID_CLUSTER || child.end === Infinity) return null;
    if (child.id === ID_INFO) {
      info = child;
      break;
    }
    at = child.end;
  }
  if (!info || info.end > head.length) return null;

  let scale = 1_000_000;
  const children: Element[] = [];
  for (let at = info.dataStart; at < info.end; ) {
    const child = readElement(head, at);
    if (!child || child.end > info.end) return null;
    if (child.id === ID_TIMECODE_SCALE) scale = readUint(head, child.dataStart, child.end);
    children.push(child);
    at = child.end;
  }
  if (scale <= 0) return null;
  // Duration is counted in TimecodeScale units (nanoseconds each): milliseconds at Chromium's 1e6.
  const value = (durationMs * 1_000_000) / scale;

  const existing = children.find((c) => c.id === ID_DURATION);
  if (existing) {
    const width = existing.end - existing.dataStart;
    if (width !== 4 && width !== 8) return null;
    const bytes = new Uint8Array(width);
    const view = new DataView(bytes.buffer);
    if (width === 8) view.setFloat64(0, value);
    else view.setFloat32(0, value);
    return { position: existing.dataStart, bytes };
  }
  // Padding first, then the informative app names: never TimecodeScale or anything players read.
  for (const id of [ID_VOID, ID_WRITING_APP, ID_MUXING_APP]) {
    const place = children.find((c) => c.id === id);
    if (!place) continue;
    const room = place.end - place.start;
    const duration = durationElement(value, room);
    if (!duration) continue;
    const bytes = new Uint8Array(room);
    bytes.set(duration);
    bytes.set(voidElement(room - duration.length), duration.length);
    return { position: place.start, bytes };
  }
  return null;
}
