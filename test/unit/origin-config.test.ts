import { describe, expect, it } from "vitest";
import { roomConfig } from "../../worker/config";
import { isRoomId, newPeerId, newRoomId } from "../../worker/ids";
import { isOriginAllowed, parseAllowedOrigins } from "../../worker/origin";

describe("origin allowlist", () => {
  const prod = new URL("https://meet.example.org/api/rooms/x/ws");
  const dev = new URL("http://localhost:8787/api/rooms/x/ws");
  const allow = parseAllowedOrigins(" https://roomlink.pages.dev , not a url ,https://x.example/path ");

  it("parses entries to origins and ignores junk", () => {
    expect([...allow]).toEqual(["https://roomlink.pages.dev", "https://x.example"]);
  });

  it("allows its own origin, listed origins and non-browser clients", () => {
    expect(isOriginAllowed("https://meet.example.org", prod, allow)).toBe(true);
    expect(isOriginAllowed("https://roomlink.pages.dev", prod, allow)).toBe(true);
    expect(isOriginAllowed(null, prod, allow)).toBe(true);
  });

  it("refuses other sites, loopback pages in production, and garbage", () => {
    expect(isOriginAllowed("https://evil.example", prod, allow)).toBe(false);
    expect(isOriginAllowed("http://localhost:5173", prod, allow)).toBe(false);
    expect(isOriginAllowed("null", prod, allow)).toBe(false);
    expect(isOriginAllowed("http://meet.example.org", prod, allow)).toBe(false); // scheme matters
  });

  it("allows loopback pages on any port when the Worker itself runs on loopback", () => {
    expect(isOriginAllowed("http://localhost:5173", dev, new Set())).toBe(true);
    expect(isOriginAllowed("http://127.0.0.1:4000", dev, new Set())).toBe(true);
    expect(isOriginAllowed("https://evil.example", dev, new Set())).toBe(false);
  });
});

describe("config", () => {
  it("uses defaults, honours valid values and ignores invalid ones", () => {
    expect(roomConfig({})).toMatchObject({ capacity: 8, maxFrameBytes: 65536, rate: { perSecond: 50, burst: 200 } });
    expect(roomConfig({ ROOM_CAPACITY: "128", MAX_FRAME_BYTES: "2048" })).toMatchObject({ capacity: 128, maxFrameBytes: 2048 });
    expect(roomConfig({ ROOM_CAPACITY: "1", MAX_FRAME_BYTES: "99999999", RATE_BURST: "x" })).toMatchObject({
      capacity: 8, maxFrameBytes: 65536, rate: { burst: 200 },
    });
  });
});

describe("ids", () => {
  it("makes room ids of 128 random bits in base64url, and distinct peer ids", () => {
    const rooms = new Set(Array.from({ length: 1000 }, newRoomId));
    expect(rooms.size).toBe(1000);
    for (const id of rooms) expect(isRoomId(id)).toBe(true);
    expect(isRoomId("short")).toBe(false);
    expect(newPeerId()).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
