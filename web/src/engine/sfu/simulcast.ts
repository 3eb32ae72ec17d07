// The camera's simulcast layers on the SFU: three encodings of one track, each half the size of
// the one before, so that every puller takes the one its tile needs (layer-choice.ts) while we
// upload one copy of each. Bitrates after Orange Meets' experiment (1.3 Mbps full) and the mesh's
// own caps; the SFU never re-encodes, it forwards a layer as it is.
//
// The layers are sized to the capture: libwebrtc sends at most as many encodings as its simulcast
// table allows for the input (three from 960×540, two from 480×270, one below: SIMULCAST_FLOORS)
// and drops the rest silently, keeping them in getParameters(). For the app's 640×360 camera it
// sent "l" and "m" and never "h": the best any puller saw was 180p, and a puller whose big tile
// asked for "h" got no video at all (a stage viewer in an 800×600 window). So we ask for the top
// layers only, as many as will be sent: 360p and 180p of a 640×360 camera.
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

/**
 * How many layers libwebrtc sends for a capture of at least this many pixels (webrtc's
 * kSimulcastFormats, which it interpolates between: 960×540 and up three, 480×270 two).
 */
export const SIMULCAST_FLOORS: ReadonlyArray<{ pixels: number; layers: number }> = [
  { pixels: 960 * 540, layers: 3 },
  { pixels: 480 * 270, layers: 2 },
];

/**
 * The layers to ask for, highest first: the top ones of CAMERA_LAYERS, as many as a capture of
 * `width`×`height` gets (one: no simulcast). All of them when the size is unknown.
 */
export function layersFor(width: number | undefined, height: number | undefined): readonly Layer[] {
  if (!(width && height)) return CAMERA_LAYERS;
  const count = SIMULCAST_FLOORS.find((f) => width * height >= f.pixels)?.layers ?? 1;
  return CAMERA_LAYERS.slice(0, count);
}

export type TransceiverMaker = Pick<RTCPeerConnection, "addTransceiver">;

/**
 * Adds the camera's send-only transceiver, with simulcast where the browser takes it; returns it
 * and the rids it kept (highest first; empty for one layer), with the capture's height when it
 * has layers (the highest layer's: pullers size the others from it, SfuTrack.height).
 */
export function addCamera(pc: TransceiverMaker, track: MediaStreamTrack, stream: MediaStream): { transceiver: RTCRtpTransceiver; rids: string[]; height?: number } {
  const settings = typeof track.getSettings === "function" ? track.getSettings() : {};
  const layers = layersFor(settings.width, settings.height);
  // Too small a capture for two layers: one, as where simulcast is refused.
  if (layers.length < 2) return { transceiver: pc.addTransceiver(track, { direction: "sendonly", streams: [stream] }), rids: [] };
  try {
    const transceiver = pc.addTransceiver(track, {
      direction: "sendonly",
      streams: [stream],
      // Lowest first, as libwebrtc expects: when the capture is too small for every layer (a
      // 640×480 camera gets two), it drops the last encodings, which must be the largest. Listed
      // highest first, the ¼ layer was the one dropped, and pullers of "l" got nothing.
      sendEncodings: [...layers].reverse().map(({ rid, scaleResolutionDownBy, maxBitrate }) => ({ rid, scaleResolutionDownBy, maxBitrate })),
    });
    const rids = keptRids(transceiver);
    return { transceiver, rids, ...(rids.length > 0 && settings.height ? { height: Math.round(settings.height) } : {}) };
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
