// Voice URLs on the Worker (protocol/features/voice.ts): where a recording is PUT (the path the
// room hands out with its capability), and where members play one (their media token is the
// capability: the URL works for members only, and stops working when they leave).

/** `apiOrigin` is "" on the same origin (the path then resolves against the page). */
export const uploadUrl = (apiOrigin: string, path: string): string => `${apiOrigin}${path}`;

export const playbackUrl = (apiOrigin: string, roomId: string, key: string, mediaToken: string): string =>
  `${apiOrigin}/api/rooms/${encodeURIComponent(roomId)}/voice/${encodeURIComponent(key)}?m=${encodeURIComponent(mediaToken)}`;
