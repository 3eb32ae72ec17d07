// The DTLS certificate fingerprint a session description commits to (RFC 8122 section 5:
// `a=fingerprint:<hash-func> <hex:hex:...>`, at session level, media level or both). The safety
// code hashes it: whoever terminates DTLS with us holds the private key behind it.
//
// Only a description with exactly one distinct fingerprint can be vouched for. DTLS checks the
// peer's certificate against one of them, not all (Chromium: the BUNDLE tag's m-section; Firefox:
// any one listed), so a relay in the middle could list the real peer's fingerprint next to its own
// and still terminate DTLS with its own. Two algorithms for one certificate count as two: we
// cannot tell that they hash the same certificate. Browsers send one (sha-256) for all m-sections.

/** Longest line we read; a SHA-512 fingerprint is 191 characters. */
const MAX_LINE = 400;
const LINE = /^a=fingerprint:([A-Za-z0-9-]{1,16}) ((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})$/;

/**
 * The description's one fingerprint ("sha-256 AB:CD:…": the algorithm in lower case, the hex in
 * upper case), "none" if it has none, or "ambiguous" if it has several distinct ones or a
 * fingerprint line we cannot read (the browser might read it differently).
 */
export type Fingerprint = { kind: "one"; value: string } | { kind: "none" } | { kind: "ambiguous" };

export function fingerprintOf(sdp: string): Fingerprint {
  const seen = new Set<string>();
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.toLowerCase().startsWith("a=fingerprint:")) continue;
    const match = line.length <= MAX_LINE ? LINE.exec(line) : null;
    if (!match) return { kind: "ambiguous" };
    seen.add(`${match[1]!.toLowerCase()} ${match[2]!.toUpperCase()}`);
  }
  if (seen.size === 0) return { kind: "none" };
  if (seen.size > 1) return { kind: "ambiguous" };
  return { kind: "one", value: [...seen][0]! };
}
