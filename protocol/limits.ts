/** Hard limits enforced by the room. The room may announce tighter ones in `welcome.settings`. */
export const LIMITS = {
  nameMaxChars: 64,
  chatMaxChars: 4000,
  /** Client message ids (`cid`) make chat sends idempotent across reconnects. */
  cidMaxChars: 64,
  peerIdMaxChars: 32,
  /** Messages per `history` reply (and in the `welcome` tail). */
  historyPage: 100,
  defaultMaxFrameBytes: 64 * 1024,
  /** Knocks waiting in a room's lobby at once (and ids in one `admit`). */
  maxKnocks: 32,
} as const;
