// The proxy's error bodies, narrowed from `unknown`, and the per-item split of a tracks call:
// Realtime fails tracks inside a 200, each with `errorCode`, and results are matched by mid or
// (session, name), never by position (docs/protocol.md). The answers themselves are read with the
// Worker's own narrowing (protocol/sfu-answers.ts): a page trusts no answer it has not read.

import type { SfuErrorBody, TrackResultItem, TracksResult } from "../../../../protocol/sfu";
import { isObj, isString } from "../../../../protocol/wire";

const SHORT = 256;
const text = (v: unknown, max = SHORT): string | undefined => (isString(v) && v.length <= max ? v : undefined);

export function errorBody(v: unknown): Pick<SfuErrorBody, "error" | "upstream"> | null {
  if (!isObj(v)) return null;
  const error = text(v.error, 1000);
  if (error === undefined) return null;
  const up = v.upstream;
  const upstream =
    isObj(up) && typeof up.status === "number" ? { status: up.status, ...(text(up.errorCode) !== undefined ? { errorCode: text(up.errorCode)! } : {}) } : undefined;
  return { error, ...(upstream ? { upstream } : {}) };
}

/** A failed item of a tracks call: which track, and Realtime's (or the proxy's) code. */
export interface FailedItem {
  trackName: string | undefined;
  sessionId: string | undefined;
  mid: string | undefined;
  errorCode: string;
  errorDescription: string;
}

/** Splits a tracks answer: succeeded items (with their mid) and failed ones. */
export function itemResults(result: TracksResult): { ok: Array<TrackResultItem & { mid: string }>; failed: FailedItem[] } {
  const ok: Array<TrackResultItem & { mid: string }> = [];
  const failed: FailedItem[] = [];
  for (const t of result.tracks) {
    if (t.errorCode !== undefined || t.mid === undefined) {
      failed.push({ trackName: t.trackName, sessionId: t.sessionId, mid: t.mid, errorCode: t.errorCode ?? "no-mid", errorDescription: t.errorDescription ?? "" });
    } else ok.push({ ...t, mid: t.mid });
  }
  return { ok, failed };
}
