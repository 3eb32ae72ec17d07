// The pieces every feature's frames are built from: the result type of a validator, the
// narrowing predicates that take untrusted JSON to typed values, and the table types that make
// a frame without a validator a compile error. Imports nothing, like the rest of protocol/.

/** A frame as it arrives: a JSON object with a string `type`, nothing else known yet. */
export type Obj = Record<string, unknown>;

export interface ProtocolError<Code extends string = string> {
  code: Code;
  message: string;
}

export type Parsed<T, Code extends string = string> = { ok: true; value: T } | { ok: false; error: ProtocolError<Code> };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const fail = <Code extends string>(code: Code, message: string): { ok: false; error: ProtocolError<Code> } => ({
  ok: false,
  error: { code, message },
});

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const isBool = (v: unknown): v is boolean => typeof v === "boolean";
export const isString = (v: unknown): v is string => typeof v === "string";
/** A sequence number or count: a non-negative safe integer. */
export const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
/** A time in ms since the epoch, as the room stamps it. */
export const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
export const isIntIn = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** Narrows to one of a listed set of strings (the list is the single source of the type). */
export const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === "string" && (list as readonly string[]).includes(v);

export function listOf<T>(v: unknown, item: (x: unknown) => T | null): T[] | null {
  if (!Array.isArray(v)) return null;
  const out: T[] = [];
  for (const x of v) {
    const t = item(x);
    if (t === null) return null;
    out.push(t);
  }
  return out;
}

/** A peer id as the room mints it (base64url). */
export const PEER_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const isPeerId = (v: unknown): v is string => typeof v === "string" && PEER_ID.test(v);

/** UTF-8 length of a string, computed only when a cheap bound does not settle the question. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false; // a UTF-16 unit never takes more than 3 UTF-8 bytes
  if (text.length > maxBytes) return true;
  return new TextEncoder().encode(text).byteLength > maxBytes;
}

/**
 * The string with every lone surrogate replaced by U+FFFD, as String.prototype.toWellFormed does
 * (ES2024, not in every browser this app supports). Stored text must be well-formed: SQLite
 * stores UTF-8, so a lone surrogate would come back from history different from the live echo.
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Code points, so that an emoji counts as one character, as a person would count it. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Tables keyed by frame type. Each feature declares its client frames' validators and its
// server frames' validators in these shapes; protocol.ts spreads them into one table per
// direction, typed over the whole union, so a frame type without a validator does not compile.

type ByType<M extends { type: string }, K extends M["type"]> = Extract<M, { type: K }>;

/** Client frames are validated with an error the room can send back: the feature's own or a frame error. */
export type ClientValidators<M extends { type: string }, Code extends string> = {
  [K in M["type"]]: (v: Obj) => Parsed<ByType<M, K>, Code | FrameError>;
};

/** Server frames are validated by the client, which drops what it cannot read (null). */
export type ServerValidators<M extends { type: string }> = {
  [K in M["type"]]: (v: Obj) => ByType<M, K> | null;
};

/** Errors any frame can earn, before its type's own validator runs (or instead of it). */
export const FRAME_ERRORS = [
  "bad-json",
  "bad-message",
  "unknown-type",
  "too-large",
  /** The socket sends frames faster than the room allows (a flood); it is closed if it goes on. */
  "rate-limited",
] as const;
export type FrameError = (typeof FRAME_ERRORS)[number];

/** A frame of a known type with a malformed field. */
export const bad = (type: string, what: string): { ok: false; error: ProtocolError<"bad-message"> } =>
  fail("bad-message", `${type}: ${what}`);
