// Why a file transfer ended without the file: one list of codes, sent to the other end in
// `cancel {reason}` and mapped to words in one place by the UI. A code is a value, never a
// thrown exception: bad input from the other end ends that one transfer and nothing else.

export const FILE_ERRORS = [
  /** A control message that is not a JSON object with a `type`. */
  "bad-json",
  "unknown-type",
  /** A known message with a malformed field. */
  "bad-message",
  /** A file name that is empty, too long, or has a path separator or a control character. */
  "bad-name",
  /** Over the receiver's size limit (or a control message too long to read). */
  "too-large",
  /** The block-hash list does not match the size, or the file id is not its hash. */
  "bad-blocks",
  /** A block index outside the file. */
  "bad-index",
  /** More bytes than a block's announced (or true) size. */
  "block-overrun",
  /** A message that is valid but not now: data before accept, a second offer, an ack for a block not sent. */
  "unexpected",
  /** A block kept failing its hash after MAX_BLOCK_RETRIES new tries. */
  "corrupt",
  /** A resume for another file. */
  "id-mismatch",
  "declined",
  /** The receiver already has as many transfers from this sender (or in all) as it takes at once. */
  "busy",
  "cancelled",
  /** The channel closed (the other person left, ICE restart, reconnect): the receiver can resume. */
  "interrupted",
  /** The receiver's sink failed (disk full, permission withdrawn). */
  "write-failed",
  /** The sender could not read its file any more. */
  "read-failed",
  /** The sender's file no longer has the bytes it offered (edited since it was picked). */
  "file-changed",
] as const;

export type FileErrorCode = (typeof FILE_ERRORS)[number];

export interface FileError {
  code: FileErrorCode;
  /** For logs and tests; the UI maps `code` to words. */
  message: string;
}

export const fileError = (code: FileErrorCode, message: string): FileError => ({ code, message });
