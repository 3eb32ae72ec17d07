// The data-channel sub-protocol of a file transfer: one ordered channel per transfer, control
// messages as JSON text, file bytes as binary messages. Everything that arrives is untrusted (the
// other end may be a modified client), so each text message goes from `unknown` to a typed
// message or a typed FileError here, at the boundary, and the state machines (sender.ts,
// receiver.ts) only ever see typed values. No switches: a table per direction, typed over the
// union, so a message type without a validator does not compile.
//
//   sender → receiver   offer {id, name, size, mime, blockSize, blocks}
//                        block {index, bytes}, then that block's bytes as binary chunks
//                        done, cancel {reason}
//   receiver → sender   ready, accept {id, from}, decline, ack {block}, nack {block}, cancel {reason}
//
// The receiver speaks first: `ready` says its end of the channel exists. A negotiated channel
// opens on the sender's side as soon as the peer connection's SCTP is up, and a message on a
// stream the other side has not opened yet is dropped there, so the sender offers only after it.
//
// `accept` carries the file id as well as the block to start from, so a sender refuses a resume
// meant for another file (resume.ts) instead of sending the wrong bytes from block `from`.

import { fail, isObj, isSeq, isString, ok, type Obj, type Parsed, wellFormed } from "../../../../protocol/wire";
import { BLOCK_SIZE, blockBytes, blockCount } from "./blocks";
import { FILE_ERRORS, type FileError, type FileErrorCode, fileError } from "./errors";

/** Largest binary chunk; smaller if the link's SCTP max message size is (chunkSize). */
export const MAX_CHUNK_BYTES = 64 * 1024;
/** Default largest file a receiver takes; the app may configure another, up to MAX_FILE_BYTES_CEILING. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;
/**
 * The most any configuration may allow: the offer carries 67 bytes of hash per MiB block and must
 * fit one message of Chrome's 256 KiB, which a file past about 3.8 GiB's hash list would not.
 */
export const MAX_FILE_BYTES_CEILING = 3.5 * 1024 ** 3;

/** The limits for a configured cap (bytes), kept within 1 byte and MAX_FILE_BYTES_CEILING. */
export const limitsFor = (maxFileBytes: number): WireLimits => ({ maxFileBytes: Math.max(1, Math.min(MAX_FILE_BYTES_CEILING, Math.floor(maxFileBytes))) });
/** File names are shown and saved: 255 is what most file systems allow. */
export const MAX_NAME_CHARS = 255;
export const MAX_TYPE_CHARS = 127;
/**
 * Blocks the sender may have sent and not yet seen acked or nacked. The receiver holds at most
 * this many blocks in memory (one assembling, the rest waiting for their hash and their write),
 * and refuses a sender that goes past it: its memory must not depend on the sender's honesty.
 */
export const BLOCK_WINDOW = 8;
/** Times one block may be sent again after failing its hash, before the transfer fails. */
export const MAX_BLOCK_RETRIES = 3;

const HASH_HEX = /^[0-9a-f]{64}$/;
/**
 * Not in a name: path separators, C0/C1 controls, and the bidi controls that can disguise an
 * extension ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
 */
const FORBIDDEN_IN_NAME = /[\u0000-\u001f\u007f-\u009f/\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const FORBIDDEN_IN_NAME_ALL = new RegExp(FORBIDDEN_IN_NAME.source, "g");
/** A bare media type (no parameters): it is a hint for the download, never trusted for more. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export interface FileOffer {
  /** Hex SHA-256 of the concatenated raw block hashes (blocks.ts). */
  id: string;
  name: string;
  size: number;
  /** The media type the sender's browser gave the file, or "". (Not `type`: that names the message.) */
  mime: string;
  blockSize: number;
  /** Hex SHA-256 of each block, in order. */
  blocks: string[];
}

export type SenderMessage =
  | ({ type: "offer" } & FileOffer)
  /** The next `bytes` of binary data are block `index`, whole. */
  | { type: "block"; index: number; bytes: number }
  /** Every block was acked. */
  | { type: "done" }
  | { type: "cancel"; reason: FileErrorCode };

export type ReceiverMessage =
  /** Our end of the channel is open: offer. */
  | { type: "ready" }
  /** Send the blocks from `from` on (0, or the resume point). */
  | { type: "accept"; id: string; from: number }
  | { type: "decline" }
  /** Block verified and written. */
  | { type: "ack"; block: number }
  /** Block failed its hash: send it again. */
  | { type: "nack"; block: number }
  | { type: "cancel"; reason: FileErrorCode };

type ByType<M extends { type: string }, K extends M["type"]> = Extract<M, { type: K }>;
type Validators<M extends { type: string }> = { [K in M["type"]]: (v: Obj, limits: WireLimits) => Parsed<ByType<M, K>, FileErrorCode> };

export interface WireLimits {
  /** The largest file this receiver takes (DEFAULT_MAX_FILE_BYTES unless configured). */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: WireLimits = { maxFileBytes: DEFAULT_MAX_FILE_BYTES };

export const encode = (message: SenderMessage | ReceiverMessage): string => JSON.stringify(message);

/**
 * Chunk size for a link: min(64 KiB, sctp.maxMessageSize). A max of 0 means "no limit" (RFC 8841
 * §6) and Infinity is how a browser says the same; no sctp yet (undefined) means the RFC's
 * default of 64 KiB. Chrome's 256 KiB max would allow more, but 64 KiB keeps any one message
 * small next to the 1 MiB low-water mark.
 */
export function chunkSize(maxMessageSize: number | null | undefined): number {
  return Math.max(1, Math.min(MAX_CHUNK_BYTES, maxMessageBytes(maxMessageSize)));
}

/** The largest message the link takes, normalised: Infinity for "no limit". */
export function maxMessageBytes(maxMessageSize: number | null | undefined): number {
  if (maxMessageSize === 0 || maxMessageSize === Infinity) return Infinity;
  if (typeof maxMessageSize !== "number" || !(maxMessageSize > 0)) return 65_536;
  return Math.floor(maxMessageSize);
}

/** A file's name made acceptable to checkName: what a sender offers instead of File.name. */
export function safeName(name: string): string {
  const cleaned = wellFormed(name).replace(FORBIDDEN_IN_NAME_ALL, "_").trim();
  const cut = [...cleaned].slice(0, MAX_NAME_CHARS).join("");
  return cut === "" || cut === "." || cut === ".." ? "file" : cut;
}

/** A media type worth passing on, or "" (the receiver would refuse anything else). */
export const safeType = (type: string): string => (type.length <= MAX_TYPE_CHARS && MEDIA_TYPE.test(type) ? type : "");

export function checkName(name: string): FileError | null {
  if (name === "" || name === "." || name === "..") return fileError("bad-name", "the name is empty");
  if ([...name].length > MAX_NAME_CHARS) return fileError("bad-name", `the name is over ${MAX_NAME_CHARS} characters`);
  if (FORBIDDEN_IN_NAME.test(name) || wellFormed(name) !== name) return fileError("bad-name", "the name has a path separator or a control character");
  return null;
}

/** Longest control text a receiver parses: an offer with a hash per block of the largest file it takes. */
export const maxSenderText = (limits: WireLimits): number => 2_048 + 67 * blockCount(limits.maxFileBytes, BLOCK_SIZE);
/** Receiver messages are a few numbers and an id. */
export const MAX_RECEIVER_TEXT = 512;

const isHash = (v: unknown): v is string => isString(v) && HASH_HEX.test(v);

const failWith = (e: FileError): { ok: false; error: FileError } => ({ ok: false, error: e });

const cancel = (v: Obj): Parsed<{ type: "cancel"; reason: FileErrorCode }, FileErrorCode> => {
  const reason = (FILE_ERRORS as readonly unknown[]).includes(v.reason) ? (v.reason as FileErrorCode) : null;
  return reason ? ok({ type: "cancel", reason }) : fail("bad-message", "cancel: `reason` is not a known code");
};

const senderValidators: Validators<SenderMessage> = {
  offer: (v, limits) => {
    if (!isHash(v.id)) return fail("bad-message", "offer: `id` is not a hex SHA-256");
    if (!isString(v.name)) return fail("bad-name", "offer: `name` is not a string");
    const badName = checkName(v.name);
    if (badName) return failWith(badName);
    if (!isSeq(v.size)) return fail("bad-message", "offer: `size` is not a byte count");
    if (v.size > limits.maxFileBytes) return fail("too-large", `offer: ${v.size} bytes is over the ${limits.maxFileBytes}-byte limit`);
    if (!isString(v.mime) || safeType(v.mime) !== v.mime) return fail("bad-message", "offer: `mime` is not a media type");
    if (v.blockSize !== BLOCK_SIZE) return fail("bad-message", `offer: \`blockSize\` must be ${BLOCK_SIZE}`);
    if (!Array.isArray(v.blocks) || !v.blocks.every(isHash)) return fail("bad-blocks", "offer: `blocks` is not a list of hex SHA-256");
    if (v.blocks.length !== blockCount(v.size, BLOCK_SIZE)) return fail("bad-blocks", `offer: ${v.blocks.length} block hashes for ${v.size} bytes`);
    return ok({ type: "offer", id: v.id, name: v.name, size: v.size, mime: v.mime, blockSize: v.blockSize, blocks: v.blocks as string[] });
  },
  block: (v) => {
    if (!isSeq(v.index) || !isSeq(v.bytes)) return fail("bad-message", "block: `index` and `bytes` must be counts");
    return ok({ type: "block", index: v.index, bytes: v.bytes });
  },
  done: () => ok({ type: "done" }),
  cancel,
};

const receiverValidators: Validators<ReceiverMessage> = {
  ready: () => ok({ type: "ready" }),
  accept: (v) => {
    if (!isHash(v.id)) return fail("bad-message", "accept: `id` is not a hex SHA-256");
    if (!isSeq(v.from)) return fail("bad-message", "accept: `from` is not a block index");
    return ok({ type: "accept", id: v.id, from: v.from });
  },
  decline: () => ok({ type: "decline" }),
  ack: (v) => (isSeq(v.block) ? ok({ type: "ack", block: v.block }) : fail("bad-message", "ack: `block` is not a block index")),
  nack: (v) => (isSeq(v.block) ? ok({ type: "nack", block: v.block }) : fail("bad-message", "nack: `block` is not a block index")),
  cancel,
};

function parseWith<M extends { type: string }>(validators: Validators<M>, text: string, maxChars: number, limits: WireLimits): Parsed<M, FileErrorCode> {
  // Bounded before JSON.parse: a huge text costs memory and time however it is malformed.
  if (text.length > maxChars) return fail("too-large", `a control message of ${text.length} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("bad-json", "a control message is not JSON");
  }
  if (!isObj(value) || !isString(value.type)) return fail("bad-json", "a control message has no `type`");
  if (!Object.hasOwn(validators, value.type)) return fail("unknown-type", `unknown message type "${value.type.slice(0, 32)}"`);
  return validators[value.type as M["type"]](value, limits) as Parsed<M, FileErrorCode>;
}

/** A control message from the sender, as the receiver reads it. */
export const parseSenderMessage = (text: string, limits: WireLimits = DEFAULT_LIMITS): Parsed<SenderMessage, FileErrorCode> =>
  parseWith(senderValidators, text, maxSenderText(limits), limits);

/** A control message from the receiver, as the sender reads it. */
export const parseReceiverMessage = (text: string): Parsed<ReceiverMessage, FileErrorCode> =>
  parseWith(receiverValidators, text, MAX_RECEIVER_TEXT, DEFAULT_LIMITS);

/** A block header against the offer: a block that exists, announced at exactly its size. */
export function checkBlockHeader(offer: Pick<FileOffer, "size" | "blockSize">, header: { index: number; bytes: number }): FileError | null {
  const count = blockCount(offer.size, offer.blockSize);
  if (header.index >= count) return fileError("bad-index", `block ${header.index} of a ${count}-block file`);
  const expected = blockBytes(offer.size, header.index, offer.blockSize);
  if (header.bytes > expected) return fileError("block-overrun", `block ${header.index} announced as ${header.bytes} bytes, larger than its ${expected}`);
  if (header.bytes !== expected) return fileError("bad-message", `block ${header.index} announced as ${header.bytes} bytes, not its ${expected}`);
  return null;
}

/** An ack or nack's block index against the file. */
export const checkBlockIndex = (index: number, count: number): FileError | null =>
  index < count ? null : fileError("bad-index", `block ${index} of a ${count}-block file`);
