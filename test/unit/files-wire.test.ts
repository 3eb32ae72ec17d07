// The file-transfer data-channel messages at the boundary: every malformed message becomes a
// typed error with a code (never an exception), and the size rules (chunk size, block sizes,
// the file cap) hold.

import { describe, expect, it } from "vitest";
import { BlockAssembly } from "../../web/src/engine/files/assembly";
import { BLOCK_SIZE } from "../../web/src/engine/files/blocks";
import { FILE_ERRORS, type FileErrorCode } from "../../web/src/engine/files/errors";
import {
  checkBlockHeader,
  checkBlockIndex,
  checkName,
  chunkSize,
  DEFAULT_MAX_FILE_BYTES,
  encode,
  type FileOffer,
  limitsFor,
  MAX_FILE_BYTES_CEILING,
  MAX_RECEIVER_TEXT,
  maxSenderText,
  maxMessageBytes,
  parseReceiverMessage,
  parseSenderMessage,
  safeName,
  safeType,
} from "../../web/src/engine/files/wire";

const HASH = "ab".repeat(32);
const hashes = (n: number) => Array.from({ length: n }, () => HASH);

/** A valid offer with some fields replaced (by anything: these are untrusted bytes). */
const offer = (over: { [K in keyof FileOffer]?: unknown } = {}) => ({
  type: "offer",
  id: HASH,
  name: "holiday.jpg",
  size: 2 * BLOCK_SIZE + 5,
  mime: "image/jpeg",
  blockSize: BLOCK_SIZE,
  blocks: hashes(3),
  ...over,
});

function senderError(message: unknown, limits?: { maxFileBytes: number }): FileErrorCode {
  const parsed = parseSenderMessage(typeof message === "string" ? message : JSON.stringify(message), limits);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(message).slice(0, 80)}`);
  expect(FILE_ERRORS).toContain(parsed.error.code);
  expect(parsed.error.message).not.toBe("");
  return parsed.error.code;
}

function receiverError(message: unknown): FileErrorCode {
  const parsed = parseReceiverMessage(typeof message === "string" ? message : JSON.stringify(message));
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(message)}`);
  return parsed.error.code;
}

describe("valid messages", () => {
  it("reads back every sender message it encodes", () => {
    const messages = [offer(), { type: "block", index: 2, bytes: 5 }, { type: "done" }, { type: "cancel", reason: "cancelled" }] as const;
    for (const m of messages) expect(parseSenderMessage(encode(m as never))).toEqual({ ok: true, value: m });
  });

  it("reads back every receiver message it encodes", () => {
    const messages = [
      { type: "accept", id: HASH, from: 0 },
      { type: "decline" },
      { type: "ack", block: 3 },
      { type: "nack", block: 0 },
      { type: "cancel", reason: "corrupt" },
    ] as const;
    for (const m of messages) expect(parseReceiverMessage(encode(m))).toEqual({ ok: true, value: m });
  });

  it("keeps only the known fields", () => {
    const text = JSON.stringify({ ...offer(), extra: "x" }).replace(/^\{/, '{"__proto__":{"polluted":true},');
    const parsed = parseSenderMessage(text);
    expect(parsed.ok && Object.keys(parsed.value).sort()).toEqual(["blockSize", "blocks", "id", "mime", "name", "size", "type"]);
  });

  it("takes an empty file (no blocks) and an empty media type", () => {
    expect(parseSenderMessage(JSON.stringify(offer({ size: 0, blocks: [], mime: "" }))).ok).toBe(true);
  });
});

describe("malformed messages are typed errors", () => {
  it("not JSON, or no type: bad-json", () => {
    for (const text of ["", "not json", "{", "[1,2]", '"offer"', "null", '{"kind":"offer"}', '{"type":7}']) {
      expect(senderError(text)).toBe("bad-json");
      expect(receiverError(text)).toBe("bad-json");
    }
  });

  it("unknown types, and the other direction's types: unknown-type", () => {
    for (const type of ["hello", "__proto__", "constructor", "toString", "ack", "accept", "nack"]) expect(senderError({ type })).toBe("unknown-type");
    for (const type of ["hello", "__proto__", "offer", "block", "done"]) expect(receiverError({ type })).toBe("unknown-type");
  });

  it("wrong shapes: bad-message", () => {
    expect(senderError({ type: "block", index: -1, bytes: 5 })).toBe("bad-message");
    expect(senderError({ type: "block", index: 1.5, bytes: 5 })).toBe("bad-message");
    expect(senderError({ type: "block", index: "3", bytes: 5 })).toBe("bad-message");
    expect(senderError({ type: "block", index: 0 })).toBe("bad-message");
    expect(senderError({ type: "cancel", reason: "because" })).toBe("bad-message");
    expect(senderError({ type: "cancel" })).toBe("bad-message");
    expect(senderError(offer({ id: "AB".repeat(32) }))).toBe("bad-message");
    expect(senderError(offer({ id: "ab" }))).toBe("bad-message");
    expect(senderError(offer({ size: -1 }))).toBe("bad-message");
    expect(senderError(offer({ size: "3" }))).toBe("bad-message");
    expect(senderError(offer({ blockSize: 64 * 1024 }))).toBe("bad-message");
    expect(senderError(offer({ mime: "text/html; charset=utf-8" }))).toBe("bad-message");
    expect(senderError(offer({ mime: "<script>" }))).toBe("bad-message");
    expect(senderError(offer({ mime: 5 }))).toBe("bad-message");
    expect(receiverError({ type: "ack" })).toBe("bad-message");
    expect(receiverError({ type: "nack", block: -2 })).toBe("bad-message");
    expect(receiverError({ type: "accept", id: HASH, from: -1 })).toBe("bad-message");
    expect(receiverError({ type: "accept", id: "x", from: 0 })).toBe("bad-message");
    expect(receiverError({ type: "cancel", reason: 3 })).toBe("bad-message");
  });

  it("names too long, or with separators, controls or bidi overrides: bad-name", () => {
    for (const name of ["a".repeat(256), "../etc/passwd", "dir/file", "dir\\file", "a\u0000b", "line\nbreak", "bell\u0007", "c1\u0085", "invoice\u202Efdp.exe", "\u2066x", "", ".", "..", "lone\uD800", 42, null]) {
      expect(senderError(offer({ name: name as string }))).toBe("bad-name");
    }
    expect(checkName("a".repeat(255))).toBeNull();
    expect(checkName("😀".repeat(255))).toBeNull(); // code points, not UTF-16 units
    expect(checkName("Résumé (final) v2.pdf")).toBeNull();
  });

  it("a size over the cap: too-large, whichever cap is configured", () => {
    const over = DEFAULT_MAX_FILE_BYTES + 1;
    expect(senderError(offer({ size: over, blocks: hashes(Math.ceil(over / BLOCK_SIZE)) }))).toBe("too-large");
    expect(senderError(offer(), { maxFileBytes: BLOCK_SIZE })).toBe("too-large");
    const big = 3 * 1024 ** 3;
    expect(parseSenderMessage(JSON.stringify(offer({ size: big, blocks: hashes(big / BLOCK_SIZE) })), { maxFileBytes: big }).ok).toBe(true);
  });

  it("control text longer than any valid message: too-large, before parsing", () => {
    expect(senderError(JSON.stringify({ type: "done", pad: "x".repeat(300_000) }))).toBe("too-large");
    expect(receiverError(JSON.stringify({ type: "ack", block: 1, pad: "x".repeat(MAX_RECEIVER_TEXT) }))).toBe("too-large");
  });

  it("a block-hash list that does not match the size: bad-blocks", () => {
    expect(senderError(offer({ blocks: hashes(2) }))).toBe("bad-blocks");
    expect(senderError(offer({ blocks: hashes(4) }))).toBe("bad-blocks");
    expect(senderError(offer({ size: 0, blocks: hashes(1) }))).toBe("bad-blocks");
    expect(senderError(offer({ blocks: [HASH, HASH, "zz".repeat(32)] }))).toBe("bad-blocks");
    expect(senderError(offer({ blocks: [HASH, HASH, 7] as never }))).toBe("bad-blocks");
    expect(senderError(offer({ blocks: "abc" as never }))).toBe("bad-blocks");
  });

  it("never throws, whatever arrives", () => {
    const junk = ['{"type":"offer","blocks":null}', '{"type":"block","index":1e400,"bytes":1}', '{"type":"offer","size":1e300}', "\uD800", "{}".repeat(1000), '{"type":"offer","name":{"length":1}}'];
    for (const text of junk) {
      expect(() => parseSenderMessage(text)).not.toThrow();
      expect(() => parseReceiverMessage(text)).not.toThrow();
      expect(parseSenderMessage(text).ok).toBe(false);
    }
  });
});

describe("blocks against the offer", () => {
  const file = { size: 2 * BLOCK_SIZE + 5, blockSize: BLOCK_SIZE };

  it("refuses an index out of range (bad-index) and a block announced larger than it is (block-overrun)", () => {
    expect(checkBlockHeader(file, { index: 0, bytes: BLOCK_SIZE })).toBeNull();
    expect(checkBlockHeader(file, { index: 2, bytes: 5 })).toBeNull();
    expect(checkBlockHeader(file, { index: 3, bytes: 5 })?.code).toBe("bad-index");
    expect(checkBlockHeader(file, { index: 2, bytes: 6 })?.code).toBe("block-overrun");
    expect(checkBlockHeader(file, { index: 0, bytes: BLOCK_SIZE + 1 })?.code).toBe("block-overrun");
    expect(checkBlockHeader(file, { index: 0, bytes: 10 })?.code).toBe("bad-message");
    expect(checkBlockIndex(2, 3)).toBeNull();
    expect(checkBlockIndex(3, 3)?.code).toBe("bad-index");
  });

  it("refuses a chunk that overruns its block, copying none of it", () => {
    const assembly = new BlockAssembly(4, 10);
    expect(assembly.add(new Uint8Array([1, 2, 3, 4, 5, 6]).buffer)).toBeNull();
    expect(assembly.complete).toBe(false);
    expect(() => assembly.take()).toThrow();
    expect(assembly.add(new Uint8Array(5).buffer)?.code).toBe("block-overrun");
    expect(assembly.add(new Uint8Array([7, 8, 9, 10]).buffer)).toBeNull();
    expect(assembly.complete).toBe(true);
    expect([...assembly.take()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("sizes and names", () => {
  it("chunks at min(64 KiB, maxMessageSize), with 0, Infinity and unknown handled", () => {
    expect(chunkSize(262_144)).toBe(65_536); // Chrome
    expect(chunkSize(1_073_741_823)).toBe(65_536); // Firefox
    expect(chunkSize(16_384)).toBe(16_384);
    expect(chunkSize(0)).toBe(65_536); // RFC 8841: 0 is "no limit"
    expect(chunkSize(Infinity)).toBe(65_536);
    expect(chunkSize(undefined)).toBe(65_536);
    expect(chunkSize(null)).toBe(65_536);
    expect(chunkSize(Number.NaN)).toBe(65_536);
    expect(chunkSize(-1)).toBe(65_536);
    expect(maxMessageBytes(0)).toBe(Infinity);
    expect(maxMessageBytes(undefined)).toBe(65_536);
    expect(maxMessageBytes(262_144.5)).toBe(262_144);
  });

  it("makes any name offerable", () => {
    for (const name of ["../etc/passwd", "a\u0000b", "invoice\u202Efdp.exe", "", "..", "x".repeat(400), "  spaced  ", "lone\uD800"]) {
      const safe = safeName(name);
      expect(checkName(safe)).toBeNull();
    }
    expect(safeName("../etc/passwd")).toBe(".._etc_passwd");
    expect(safeName("report.pdf")).toBe("report.pdf");
    expect(safeType("image/png")).toBe("image/png");
    expect(safeType("text/html; charset=utf-8")).toBe("");
    expect(safeType("")).toBe("");
  });
});

describe("the configured size cap", () => {
  it("is kept within one byte and the ceiling an offer's hash list allows in one Chrome message", () => {
    expect(limitsFor(10 * 1024 ** 3).maxFileBytes).toBe(MAX_FILE_BYTES_CEILING);
    expect(limitsFor(0).maxFileBytes).toBe(1);
    expect(limitsFor(5 * 1024 ** 2).maxFileBytes).toBe(5 * 1024 ** 2);
    // The largest offer the ceiling allows still fits Chrome's 256 KiB message.
    expect(maxSenderText(limitsFor(MAX_FILE_BYTES_CEILING))).toBeLessThanOrEqual(256 * 1024);
  });
});
