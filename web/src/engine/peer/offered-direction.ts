// Reads one m-line's direction out of an SDP. Used to tell whether an offer's camera and mic
// m-lines are two-way (this version of the app) or one-way (an older one, during a deploy).

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** The direction an SDP gives the m-line with this mid (RFC 8866 §6.7; sendrecv when none is given). */
export function offeredDirection(sdp: string, mid: string): Direction | null {
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const lines = section.split(/\r?\n/);
    if (!lines.includes(`a=mid:${mid}`)) continue;
    for (const d of ["sendonly", "recvonly", "inactive", "sendrecv"] as const) if (lines.includes(`a=${d}`)) return d;
    return "sendrecv";
  }
  return null;
}
