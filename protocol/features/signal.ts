// Signaling: what two peer connections exchange to connect. The room forwards it to the one
// addressed peer, stamping `from` itself, and never looks inside (it does not parse SDP).

import { LIMITS } from "../limits";
import { type FileSignal, fileSignal } from "./files";
import { bad, type ClientValidators, isBool, isIntIn, isObj, isOneOf, isPeerId, isString, ok, type Obj, type ServerValidators } from "../wire";

/** The SDP types RTCSessionDescription knows; the one list the type and the check come from. */
export const DESCRIPTION_TYPES = ["offer", "answer", "pranswer", "rollback"] as const;
export type DescriptionType = (typeof DESCRIPTION_TYPES)[number];

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** A description, a candidate, which of the sender's streams is which, what a stage speaker sends us, or a file's channel. */
export type SignalData =
  | { kind: "description"; description: { type: DescriptionType; sdp: string } }
  | {
      kind: "candidate";
      /** null marks the end of candidates. */
      candidate: IceCandidate | null;
    }
  | {
      kind: "streams";
      /** Which of the sender's MediaStream ids carries its camera and mic, and which its screen. */
      camera: string | null;
      screen: string | null;
    }
  | {
      kind: "tier";
      /**
       * From a stage speaker to a viewer: whether it sends the viewer its camera video. False
       * when the speaker's upload budget or CPU has no room for another copy (features/stage.ts);
       * the viewer then gets its audio and screen only, and says why.
       */
      video: boolean;
    }
  /** A file transfer's data channel (features/files.ts). */
  | FileSignal;

/** The signals a peer connection consumes: all but a file's, which the files feature takes. */
export type LinkSignal = Exclude<SignalData, FileSignal>;

export type SignalClientMessage = { type: "signal"; to: string; data: SignalData };
export type SignalServerMessage = { type: "signal"; from: string; data: SignalData };

export const SIGNAL_ERRORS = [
  /** The addressed peer is not in the room (or is the sender). */
  "unknown-peer",
] as const;

const STREAM_ID_MAX = 128;
const optString = (x: unknown): x is string | null | undefined => x === undefined || x === null || typeof x === "string";
const optIndex = (x: unknown): x is number | null | undefined => x === undefined || x === null || isIntIn(x, 0, Number.MAX_SAFE_INTEGER);
const streamId = (x: unknown): x is string | null => x === null || (typeof x === "string" && x.length > 0 && x.length <= STREAM_ID_MAX);

function candidate(c: Obj): IceCandidate | null {
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = c;
  if (!isString(candidate) || !optString(sdpMid) || !optIndex(sdpMLineIndex) || !optString(usernameFragment)) return null;
  return { candidate, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null, usernameFragment: usernameFragment ?? null };
}

export function signalData(v: unknown): SignalData | null {
  if (!isObj(v)) return null;
  switch (v.kind) {
    case "description": {
      const d = v.description;
      if (!isObj(d) || !isOneOf(DESCRIPTION_TYPES, d.type) || !isString(d.sdp)) return null;
      return { kind: "description", description: { type: d.type, sdp: d.sdp } };
    }
    case "candidate": {
      if (v.candidate === null) return { kind: "candidate", candidate: null };
      const c = isObj(v.candidate) ? candidate(v.candidate) : null;
      return c ? { kind: "candidate", candidate: c } : null;
    }
    case "streams":
      return streamId(v.camera) && streamId(v.screen) ? { kind: "streams", camera: v.camera, screen: v.screen } : null;
    case "tier":
      return isBool(v.video) ? { kind: "tier", video: v.video } : null;
    case "file":
      return fileSignal(v);
    default:
      return null;
  }
}

export const signalClient: ClientValidators<SignalClientMessage, never> = {
  signal: (v) => {
    if (!isPeerIdLike(v.to)) return bad("signal", "`to` must be a peer id");
    const data = signalData(v.data);
    if (!data) return bad("signal", "`data` must be a description, a candidate, a streams note, a tier or a file");
    return ok({ type: "signal", to: v.to, data });
  },
};

/**
 * The target of a signal: any short non-empty string. An id the room never minted is answered
 * with `unknown-peer` (a clearer error than `bad-message` for a peer that has since left).
 */
const isPeerIdLike = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= LIMITS.peerIdMaxChars;

export const signalServer: ServerValidators<SignalServerMessage> = {
  signal: (v) => {
    const data = signalData(v.data);
    return data && isPeerId(v.from) ? { type: "signal", from: v.from, data } : null;
  },
};
