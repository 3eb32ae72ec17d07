// Pure SDP edits of the Realtime stand-in's media engine (werift-engine.ts). No imports, so that
// both the engine (Node, .ts imports) and the unit tests (vitest) take this file as it is.

/**
 * The client's SDP without its ICE candidates. The engine is ICE-lite, like Cloudflare's SFU: it
 * answers the client's connectivity checks and never checks a candidate itself, so it needs none.
 * Left in, Chromium's mDNS candidates (`….local`) would make werift open a multicast DNS socket on
 * every interface and wait 10 s per name for an answer that never comes.
 */
export function withoutCandidates(sdp: string): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith("a=candidate:") && line !== "a=end-of-candidates")
    .join(eol);
}

/**
 * The engine's answer with Chromium's bandwidth hints on every VP8 payload type of the video
 * sections: `x-google-start-bitrate` and `x-google-min-bitrate` (kbps), which Chromium reads
 * from the remote description's fmtp. werift gives Chromium's congestion controller too little
 * feedback for its estimate to grow, so a simulcast publisher would send its lowest layer only;
 * on loopback there is bandwidth for all of them, as there is towards Cloudflare's network.
 */
export function withVideoBitrateFloor(sdp: string, kbps: { start: number; min: number }): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const hints = `x-google-start-bitrate=${kbps.start};x-google-min-bitrate=${kbps.min}`;
  return sections(sdp.split(/\r?\n/))
    .flatMap((section) => (section[0]?.startsWith("m=video ") ? withHints(section, hints) : section))
    .join(eol);
}

/**
 * The engine's re-offer with each publishing section's simulcast kept: for every `{mid, rids}`,
 * `a=rid:<rid> recv` lines and `a=simulcast:recv <rids>` in the section with that mid, in the
 * publisher's order. werift writes simulcast only for layers it sends itself, so its offer to a
 * session that publishes simulcast and then pulls left these out; Chromium, answering an offer
 * without them, fell back to one stream that werift's router (by rid, then by the layers' SSRCs)
 * could not place, and that publisher's video reached nobody. A section that already has a
 * simulcast line is left as it is.
 */
export function withSimulcastReceive(sdp: string, layers: ReadonlyArray<{ mid: string; rids: readonly string[] }>): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  return sections(sdp.split(/\r?\n/))
    .flatMap((section) => {
      const rids = layers.find((l) => l.rids.length > 0 && section.includes(`a=mid:${l.mid}`))?.rids;
      if (!section[0]?.startsWith("m=") || !rids || section.some((l) => l.startsWith("a=simulcast:"))) return section;
      // Before the blank last line, if the section is the last one of the description.
      const end = section.at(-1) === "" ? section.length - 1 : section.length;
      return [...section.slice(0, end), ...rids.map((rid) => `a=rid:${rid} recv`), `a=simulcast:recv ${rids.join(";")}`, ...section.slice(end)];
    })
    .join(eol);
}

/** The session part, then one array per m-section. */
function sections(lines: string[]): string[][] {
  const out: string[][] = [[]];
  for (const line of lines) {
    if (line.startsWith("m=")) out.push([]);
    out[out.length - 1]!.push(line);
  }
  return out;
}

function withHints(section: string[], hints: string): string[] {
  const vp8 = new Set(section.flatMap((l) => /^a=rtpmap:(\d+) VP8\/90000/i.exec(l)?.[1] ?? []));
  const out: string[] = [];
  for (const line of section) {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp?.[1] && vp8.has(fmtp[1])) {
      out.push(/x-google-/.test(fmtp[2] ?? "") ? line : `${line};${hints}`);
      continue;
    }
    out.push(line);
    // A VP8 payload type without an fmtp line of its own gets one right after its rtpmap.
    const pt = /^a=rtpmap:(\d+) VP8\/90000/i.exec(line)?.[1];
    if (pt && !section.some((l) => l.startsWith(`a=fmtp:${pt} `))) out.push(`a=fmtp:${pt} ${hints}`);
  }
  return out;
}

/**
 * Header extension ids for a new m-section of a bundle: each URI keeps the id the bundle already
 * gives it, and a URI new to the bundle takes the lowest id no other URI holds (RFC 8285 one-byte
 * ids, 1–14). Chromium refuses an offer whose bundled sections give one id two URIs, and werift
 * numbers its own extensions from 1 whatever the client's offer chose.
 */
export function bundleExtensionIds(existing: ReadonlyArray<{ uri: string; id: number }>, uris: readonly string[]): Array<{ uri: string; id: number }> {
  const byUri = new Map<string, number>();
  const taken = new Set<number>();
  for (const e of existing) {
    if (!byUri.has(e.uri)) byUri.set(e.uri, e.id);
    taken.add(e.id);
  }
  const out: Array<{ uri: string; id: number }> = [];
  for (const uri of uris) {
    let id = byUri.get(uri);
    if (id === undefined) {
      id = 1;
      while (taken.has(id)) id++;
      if (id > 14) continue;
      taken.add(id);
      byUri.set(uri, id);
    }
    out.push({ uri, id });
  }
  return out;
}
