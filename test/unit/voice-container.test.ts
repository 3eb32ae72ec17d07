import { describe, expect, it } from "vitest";
import { chooseContainer } from "../../web/src/engine/voice/container";

/** A browser that records exactly these MIME types. */
const browser = (...types: string[]) => (mimeType: string) => types.includes(mimeType);

describe("the voice container", () => {
  it("is WebM/Opus wherever it is recorded (Chrome, Firefox), even where MP4 is too (Chrome 126+)", () => {
    expect(chooseContainer(browser("audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus"))).toEqual({ mimeType: "audio/webm;codecs=opus", type: "audio/webm" });
    expect(chooseContainer(browser("audio/webm;codecs=opus", "audio/mp4"))).toEqual({ mimeType: "audio/webm;codecs=opus", type: "audio/webm" });
  });

  it("is MP4 where WebM/Opus is not recorded (Safari before 18.4)", () => {
    expect(chooseContainer(browser("audio/mp4"))).toEqual({ mimeType: "audio/mp4", type: "audio/mp4" });
    expect(chooseContainer(browser("audio/mp4", "audio/ogg;codecs=opus"))).toEqual({ mimeType: "audio/mp4", type: "audio/mp4" });
  });

  it("falls back to Ogg/Opus, and asks for the codec, not just the container", () => {
    expect(chooseContainer(browser("audio/ogg;codecs=opus"))).toEqual({ mimeType: "audio/ogg;codecs=opus", type: "audio/ogg" });
    // WebM without Opus (say, Vorbis only) is not what the room's players are built for.
    expect(chooseContainer(browser("audio/webm", "audio/ogg"))).toBeNull();
  });

  it("is none where nothing fits, or there is no MediaRecorder", () => {
    expect(chooseContainer(browser("audio/wav"))).toBeNull();
    expect(chooseContainer(undefined)).toBeNull();
  });

  it("asks in the order of FEATURES §5 and stops at the first yes", () => {
    const asked: string[] = [];
    chooseContainer((t) => (asked.push(t), t === "audio/mp4"));
    expect(asked).toEqual(["audio/webm;codecs=opus", "audio/mp4"]);
  });
});
