// A real WebM head for the recording tests.

// The first 300 bytes of a WebM (VP9 + Opus) that Chromium 156's MediaRecorder wrote for a 64×36
// canvas and an oscillator (captured once, 2026-12-02): EBML header, Segment of unknown size,
// Info (TimecodeScale, MuxingApp "Chrome", WritingApp "Chrome"), Tracks, the first Cluster.
export const CHROMIUM_HEAD = Uint8Array.from(
  (
    "1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581021853806701ffffffffffffff1549a966992ad7b1830f42404d80864368726f6d65" +
    "5741864368726f6d651654ae6bfbaebad7810173c587a4b601379c1f3283810155ee81018685565f565039e09db08140ba812453c0810155b09055b1810155b9810255ba810d" +
    "55bb8101aebdd7810273c587f8b931911937058381028686415f4f50555363a2934f707573486561640102000080bb0000000000e18db584473b80009f8102626481201f43b6" +
    "7501ffffffffffffffe78100a040d1a1e881000000824983425003f002360638241c183a00002040006b43ffff9a80ff2474ce277c86d07e926233bba1dd0b43b64b50082b8f" +
    "686fffeca87153e73c193cadaba819d9dbeb2bdc76"
  )
    .match(/../g)!
    .map((h) => parseInt(h, 16)),
);
