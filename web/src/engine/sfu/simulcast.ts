// The camera's simulcast layers on the SFU: three encodings of one track, each half the size of
// the one before, so that every puller takes the one its tile needs (layer-choice.ts) while we
// upload one copy of each. Bitrates after Orange Meets' experiment (1.3 Mbps full) and the mesh's
// own caps; the SFU never re-encodes, it forwards a layer as it is.
//
// Where the browser refuses simulcast (addTransceiver throws with sendEncodings, or keeps fewer
// encodings than asked: webrtc-pc §5.2 lets it), the camera goes out as one layer and its
// announcement names no rids (or only those the sender kept).

export interface Layer {
  rid: string;
  scaleResolutionDownBy: number;
  maxBitrate: number;
}

/** Highest first, as the announcement lists them (protocol/features/transport.ts SfuTrack.rids). */
export const CAMERA_LAYERS: readonly Layer[] = [
  { rid: "h", scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
  { rid: "m", scaleResolutionDownBy: 2, maxBitrate: 450_000 },
  { rid: "l", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
];

export type TransceiverMaker = Pick<RTCPeerConnection, "addTransceiver">;

/**
 * Adds the camera's send-only transceiver, with simulcast where the browser takes it; returns it
 * and the rids it kept (highest first; empty for one layer).
 */
export function addCamera(pc: TransceiverMaker, track: MediaStreamTrack, stream: MediaStream): { transceiver: RTCRtpTransceiver; rids: string[] } {
  try {
    const transceiver = pc.addTransceiver(track, {
      direction: "sendonly",
      streams: [stream],
      // Lowest first, as libwebrtc expects: when the capture is too small for every layer (a
      // 640×480 camera gets two), it drops the last encodings, which must be the largest. Listed
      // highest first, the ¼ layer was the one dropped, and pullers of "l" got nothing.
      sendEncodings: [...CAMERA_LAYERS].reverse().map(({ rid, scaleResolutionDownBy, maxBitrate }) => ({ rid, scaleResolutionDownBy, maxBitrate })),
    });
    return { transceiver, rids: keptRids(transceiver) };
  } catch {
    // An engine without simulcast for this codec or track: one layer, uncapped here.
    return { transceiver: pc.addTransceiver(track, { direction: "sendonly", streams: [stream] }), rids: [] };
  }
}

/** The rids the sender kept, highest first; fewer than two is no simulcast at all. */
export function keptRids(transceiver: Pick<RTCRtpTransceiver, "sender">): string[] {
  const encodings = transceiver.sender.getParameters().encodings ?? [];
  const rids = encodings.map((e) => e.rid).filter((r): r is string => typeof r === "string" && r.length > 0);
  const order = CAMERA_LAYERS.map((l) => l.rid);
  const known = rids.filter((r) => order.includes(r)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return known.length >= 2 ? known : [];
}
