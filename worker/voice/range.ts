// HTTP Range for voice playback (RFC 9110 §14): Safari plays audio only from a server that answers
// a range request with 206 (JuliaDocs/LiveServer.jl#151). One range at a time is all a media
// element asks for; a request for several, or a header this does not understand, is answered with
// the whole recording (§14.2 lets a server ignore Range). Pure, so it is unit-tested in Node.

export type RangeAnswer =
  /** 200 with the whole body. */
  | { kind: "full" }
  /** 206: `length` bytes from `offset`, both within the body. */
  | { kind: "partial"; offset: number; length: number }
  /** 416: no byte of the range is in the body. */
  | { kind: "unsatisfiable" };

const FULL: RangeAnswer = { kind: "full" };
const UNSATISFIABLE: RangeAnswer = { kind: "unsatisfiable" };
const SPEC = /^bytes=(\d*)-(\d*)$/;

/** What to answer a `Range` header (null: none) for a body of `size` bytes. */
export function parseRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return FULL;
  const m = SPEC.exec(header.trim());
  if (!m) return FULL;
  const [, first = "", last = ""] = m;
  if (first === "" && last === "") return FULL;
  if (first === "") {
    // A suffix: the last N bytes (all of them if N is more than there are).
    const n = Number(last);
    if (n === 0) return UNSATISFIABLE;
    const length = Math.min(n, size);
    return { kind: "partial", offset: size - length, length };
  }
  const start = Number(first);
  // An invalid range (last before first) is ignored, not refused (§14.1.1).
  if (last !== "" && Number(last) < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "partial", offset: start, length: end - start + 1 };
}

/** The Content-Range of a 206 for that part of a body of `size` bytes. */
export const contentRange = (offset: number, length: number, size: number): string => `bytes ${offset}-${offset + length - 1}/${size}`;

/**
 * The answer to a GET or HEAD of a stored body of `size` bytes: the part `range` asks for (206,
 * with its Content-Range) or the whole (200), with Content-Length set on `headers`. `read` fetches
 * the bytes (null: gone since, answered by `gone`); a HEAD or an empty body reads nothing.
 */
export async function rangedResponse(
  method: string,
  headers: Headers,
  range: Exclude<RangeAnswer, { kind: "unsatisfiable" }>,
  size: number,
  read: (part: { offset: number; length: number } | undefined) => Promise<{ body: ReadableStream } | null>,
  gone: () => Response,
): Promise<Response> {
  const part = range.kind === "partial" ? { offset: range.offset, length: range.length } : undefined;
  if (part) headers.set("Content-Range", contentRange(part.offset, part.length, size));
  headers.set("Content-Length", String(part ? part.length : size));
  const status = part ? 206 : 200;
  if (method === "HEAD" || size === 0) return new Response(null, { status, headers });
  const object = await read(part);
  return object ? new Response(object.body, { status, headers }) : gone();
}
