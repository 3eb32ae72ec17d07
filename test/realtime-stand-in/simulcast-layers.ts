// Pure helpers of the Realtime stand-in's media engine (werift-engine.ts): which simulcast layers
// a publisher's offer declares, and which one a pull forwards. No imports, so that both the
// engine (Node, .ts imports) and the unit tests (vitest) take this file as it is.

/**
 * The rids the m-section with `a=mid:<mid>` sends, in the order of its `a=simulcast:send` line
 * (RFC 8853 §5.2: first is most preferred), or its `a=rid:… send` lines when it has none. Empty
 * when that section sends one stream only. Alternatives (`a;b`'s `,`) and paused rids (`~a`) are
 * taken as plain rids: Chromium writes neither.
 */
export function offeredRids(sdp: string, mid: string): string[] {
  const section = mediaSection(sdp, mid);
  if (!section) return [];
  const declared: string[] = [];
  let order: string[] | null = null;
  for (const line of section) {
    const rid = /^a=rid:([^\s]+) send(?:\s|$)/.exec(line);
    if (rid?.[1]) declared.push(rid[1]);
    const simulcast = /^a=simulcast:send ([^\s]+)/.exec(line);
    if (simulcast?.[1]) order = simulcast[1].split(/[;,]/).map((r) => r.replace(/^~/, ""));
  }
  if (!order) return declared;
  return order.filter((r) => declared.includes(r));
}

/** The lines of the m-section whose `a=mid` is `mid`, or null. */
function mediaSection(sdp: string, mid: string): string[] | null {
  const lines = sdp.split(/\r?\n/);
  let section: string[] | null = null;
  for (const line of lines) {
    if (line.startsWith("m=")) {
      if (section?.includes(`a=mid:${mid}`)) return section;
      section = [];
    }
    section?.push(line);
  }
  return section?.includes(`a=mid:${mid}`) ? section : null;
}

/** A pull's simulcast preference, as the API takes it (engine.ts's SimulcastPreference). */
export interface LayerPreference {
  preferredRid?: string;
  ridNotAvailable?: string;
}

/**
 * Which of the publisher's `rids` a pull forwards: "" for a publisher that sends one stream,
 * null for none. The preferred rid when the publisher declares it. Otherwise, by the documented
 * `ridNotAvailable`: "none" (the default) forwards nothing; "asciibetical" takes the next layer
 * after the preferred one in a–z order (the first before it when none follows). Without a
 * preferred rid, the first in a–z order ("a is most desirable", as the API describes its
 * `asciibetical` ordering).
 */
export function pickLayer(rids: readonly string[], preference: LayerPreference = {}): string | null {
  if (rids.length === 0) return "";
  const sorted = [...rids].sort();
  const preferred = preference.preferredRid;
  if (preferred === undefined) return sorted[0] ?? null;
  if (rids.includes(preferred)) return preferred;
  if (preference.ridNotAvailable !== "asciibetical") return null;
  return sorted.find((r) => r > preferred) ?? sorted.filter((r) => r < preferred).pop() ?? null;
}
