// How often each room's code ran, for the idle-cost benchmark (GET /api/rooms/:id/stats, only
// when STATS_ROUTE=on). Kept at module level, because an instance's own fields start over when
// a hibernated room wakes; bounded, because the isolate may host many rooms for a long time.

export interface RunCounts {
  /** Every construction so far. */
  constructions: number;
  /** When the latest constructions happened (the newest KEEP_TIMES). */
  constructedAt: number[];
  messageRuns: number;
  alarmRuns: number;
}

const KEEP_TIMES = 64;
const KEEP_ROOMS = 256;
const byRoom = new Map<string, RunCounts>();

/** The room's counts, with this construction counted. The oldest room is forgotten past KEEP_ROOMS. */
export function countConstruction(roomKey: string, now: number): RunCounts {
  let counts = byRoom.get(roomKey);
  if (!counts) {
    counts = { constructions: 0, constructedAt: [], messageRuns: 0, alarmRuns: 0 };
    byRoom.set(roomKey, counts);
    const oldest = byRoom.keys().next();
    if (byRoom.size > KEEP_ROOMS && !oldest.done) byRoom.delete(oldest.value);
  }
  counts.constructions++;
  counts.constructedAt.push(now);
  if (counts.constructedAt.length > KEEP_TIMES) counts.constructedAt.shift();
  return counts;
}
