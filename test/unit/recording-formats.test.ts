// Which container the recorder asks MediaRecorder for, and the file's suggested name.

import { describe, expect, it } from "vitest";
import { pickMimeType, recordingName } from "../../web/src/engine/recording/formats";

describe("recording formats", () => {
  it("prefers WebM VP9, then VP8, then MP4 (Safari)", () => {
    expect(pickMimeType(() => true)).toBe("video/webm;codecs=vp8,opus");
    expect(pickMimeType((t) => !t.includes("vp8"))).toBe("video/webm;codecs=vp9,opus");
    expect(pickMimeType((t) => t.startsWith("video/mp4"))).toBe("video/mp4;codecs=avc1,mp4a.40.2");
    expect(pickMimeType((t) => t === "video/mp4")).toBe("video/mp4");
    expect(pickMimeType(() => false)).toBeNull();
    // An engine that throws on codec strings it cannot parse.
    expect(
      pickMimeType((t) => {
        if (t.includes("codecs")) throw new Error("bad type");
        return true;
      }),
    ).toBe("video/webm");
  });

  it("names the file after the room and the local time, with only safe characters", () => {
    const at = new Date(2026, 11, 2, 14, 5, 33);
    expect(recordingName(at, "video/webm;codecs=vp9,opus", "Ab3-x_Z")).toBe("roomlink-Ab3-x_Z-2026-12-02-1405.webm");
    expect(recordingName(at, "video/mp4", "../../etc/passwd")).toBe("roomlink-etcpasswd-2026-12-02-1405.mp4");
    expect(recordingName(at, "video/webm")).toBe("roomlink-2026-12-02-1405.webm");
    expect(recordingName(at, "video/webm", "x".repeat(100))).toBe(`roomlink-${"x".repeat(24)}-2026-12-02-1405.webm`);
  });
});
