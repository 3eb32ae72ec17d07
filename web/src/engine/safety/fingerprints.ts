// The DTLS certificate fingerprints a session description commits to (RFC 8122 section 5:
// `a=fingerprint:<hash-func> <hex:hex:...>`, at session level, media level or both). The safety
// code hashes them: whoever terminates DTLS with us holds the private key of one of these.

/** Longest line we look at; a SHA-512 fingerprint is 191 characters. */
const MAX_LINE = 400;
const LINE = /^a=fingerprint:([A-Za-z0-9-]{1,16}) ((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})$/;

/**
 * Every distinct fingerprint of the description, normalised to uppercase hex with colons and
 * sorted; sha-256 ones only if there are any (every browser sends one), else those of any
 * algorithm, prefixed with it so that two algorithms never compare equal. Empty if it has none.
 */
export function fingerprintsOf(sdp: string): string[] {
  const byAlgorithm = new Map<string, Set<string>>();
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length > MAX_LINE || !line.startsWith("a=fingerprint:")) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const algorithm = match[1]!.toLowerCase();
    const set = byAlgorithm.get(algorithm) ?? new Set<string>();
    set.add(match[2]!.toUpperCase());
    byAlgorithm.set(algorithm, set);
  }
  const sha256 = byAlgorithm.get("sha-256");
  if (sha256) return [...sha256].sort();
  const all: string[] = [];
  for (const [algorithm, set] of byAlgorithm) for (const fp of set) all.push(`${algorithm} ${fp}`);
  return all.sort();
}
