import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { PROTOCOL_VERSION, cleanName, wellFormed } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { VOICE_UNSENT_MAX } from "../../worker/room/features/voice";
import { exports } from "cloudflare:workers";
import { NO_MEDIA, ORIGIN, TestClient, createHostedRoom, joinFrame, roomStub } from "./client";

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const TYPES = [
  "join", "signal", "media", "chat", "history", "ice", "leave", "welcome", "", "__proto__", "constructor",
  "access", "admit", "deny", "set-role", "remove", "ask-mute", "end-meeting", "knock", "lobby",
  "set-mode", "set-seat", "leave-stage", "hand", "stage", "peer-seat", "voice-upload",
  "lower-hands", "react", "reaction", "recording", "peer-recording",
  "sfu-tracks", "peer-sfu", "transport", "roster",
  "file-offer", "file-answer", "file-end", "file-upload", "file-ready",
];

/** One hostile frame: garbage, wrong shapes, wrong order, oversize, binary, or valid-looking. */
function hostileFrame(r: () => number, knownIds: string[]): string | ArrayBuffer {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const junk = () => Array.from({ length: Math.floor(r() * 40) }, () => String.fromCharCode(Math.floor(r() * 0xffff))).join("");
  switch (Math.floor(r() * 25)) {
    case 0:
      return junk();
    case 1:
      return `{"type":"${pick(TYPES)}"`; // truncated JSON
    case 2:
      return JSON.stringify({ type: pick(TYPES), [junk()]: junk() });
    case 3:
      return JSON.stringify({ type: "join", v: pick([0, 1, 2, "1", null]), name: pick(["", " ", "x".repeat(100), junk(), 5]), media: pick([null, {}, NO_MEDIA, [1]]) });
    case 4:
      return JSON.stringify({ type: "signal", to: pick([...knownIds, "", "x".repeat(40), 7]), data: pick([null, {}, { kind: "description" }, { kind: "candidate", candidate: { candidate: 5 } }]) });
    case 5:
      return JSON.stringify({ type: "chat", text: pick(["", 5, "x".repeat(4001), null]), cid: pick(["", null, "c".repeat(80), "ok"]) });
    case 6:
      return JSON.stringify({ type: "history", after: pick([-1, 1.5, "0", null, 2 ** 60]) });
    case 7:
      return r() < 0.05 ? JSON.stringify({ type: "chat", text: "x".repeat(70_000), cid: "big" }) : JSON.stringify([pick(TYPES)]);
    case 8:
      return new Uint8Array(Array.from({ length: 16 }, () => Math.floor(r() * 256))).buffer as ArrayBuffer;
    case 9:
      // Well-formed, but out of order for a socket that has not joined.
      return JSON.stringify(pick([{ type: "chat", text: "hi", cid: "1" }, { type: "leave" }, { type: "ice" }, { type: "history", after: 0 }]));
    case 10:
      return JSON.stringify({ type: "media", media: { mic: "yes", cam: 1, screen: null } });
    case 11:
      // History with made-up or malformed acks: never more than one page in flight.
      return JSON.stringify({ type: "history", after: pick([0, 1, 5]), ack: pick([junk(), 5, "a".repeat(100), null, ""]) });
    case 12:
      // Names that hide or disguise characters (bidi overrides, zero-width, controls, lone surrogates).
      return JSON.stringify({ type: "join", v: PROTOCOL_VERSION, name: pick(["\u202e\u200b", "\u0000\u0085", "\ud800", "a\u2066b"]), media: NO_MEDIA });
    case 13:
      // A chat burst with fresh cids (the chat ration), and text with a lone surrogate.
      return JSON.stringify({ type: "chat", text: pick(["spam", "\udc00x"]), cid: junk().slice(0, 30) || "c" });
    case 14:
      // Host frames from sockets that are no host (joined or not): refused as forbidden or not-joined.
      return JSON.stringify(
        pick([
          { type: "access", lobby: pick([true, "yes", null]), locked: pick([true, undefined, 1]) },
          { type: "access", passcode: pick(["taken over", "", null, 5, "p".repeat(100)]) },
          { type: "set-role", id: pick(knownIds), role: pick(["cohost", "host", "member", "temp-host"]) },
          { type: "remove", id: pick([...knownIds, junk()]) },
          { type: "ask-mute", id: pick([...knownIds, 7]) },
          { type: "end-meeting" },
        ]),
      );
    case 15:
      // Admits and denials of made-up knocks, of every shape.
      return JSON.stringify(
        pick([
          { type: "admit", knocks: pick([[junk().slice(0, 10) || "k"], ["madeUpKnock"], [], "all", Array(40).fill("k"), [5]]) },
          { type: "deny", knock: pick(["madeUpKnock", junk(), null, ["k"]]) },
        ]),
      );
    case 16:
      // Joins with bad passcodes, host keys and device ids (well-formed ones get checked, and fail).
      return JSON.stringify({
        ...joinFrame("intruder"),
        passcode: pick(["wrong", "", "x".repeat(100), 5, undefined]),
        hostKey: pick(["A".repeat(22), "short", 5, "!".repeat(22), undefined]),
        device: pick(["intruder-device-0001", "bad", 5, undefined]),
      });
    case 17:
      // Stage frames of every shape: switching the mode or moving seats without being a host,
      // stepping down from a seat it does not hold, hands toggled as fast as it can, and the
      // opaque `tier` signal, well-formed (relayed, or refused between viewers) or not.
      return JSON.stringify(
        pick([
          { type: "set-mode", mode: pick(["stage", "meeting", "webinar", 5, null]) },
          { type: "set-seat", id: pick([...knownIds, junk(), 7]), seat: pick(["speaker", "viewer", "host", null]) },
          { type: "leave-stage" },
          { type: "hand", up: pick([true, false, "yes", null]) },
          { type: "hand", up: true },
          { type: "signal", to: pick(knownIds), data: pick([{ kind: "tier", video: pick([true, false]) }, { kind: "tier", video: "no" }, { kind: "tier" }]) },
        ]),
      );
    case 18:
      // Voice: upload capabilities of every shape (well-formed ones are issued to members, and
      // rationed), and chat messages naming recordings the sender never uploaded.
      return JSON.stringify(
        pick([
          {
            type: "voice-upload",
            cid: pick(["v", "", junk().slice(0, 70), 5]),
            mime: pick(["audio/webm", "audio/mp4", "audio/ogg", "audio/webm;codecs=opus", "text/html", "image/svg+xml", null]),
            bytes: pick([1, 2000, 5 * 1024 * 1024, 5 * 1024 * 1024 + 1, 0, -1, 1.5, "10", 2 ** 60]),
            durationMs: pick([0, 1500, 300_000, 305_001, -5, null]),
          },
          { type: "chat", text: pick(["", "hear this", 5]), cid: junk().slice(0, 30) || "v", voice: pick([{ key: "A".repeat(22) }, { key: junk().slice(0, 22) }, { key: 5 }, "A".repeat(22), null, {}, []]) },
        ]),
      );
    case 19:
      // A file transfer's channel (relayed opaque, like a description): well-formed ones to
      // members, and transfer ids and stream ids of every wrong shape and range.
      return JSON.stringify({
        type: "signal",
        to: pick([...knownIds, junk()]),
        data: {
          kind: "file",
          transfer: pick(["A".repeat(22), "A".repeat(21), "!".repeat(22), junk().slice(0, 30), 5, null]),
          channel: pick([0, 1, 1023, 1024, -1, 2.5, "3", null, 2 ** 53]),
        },
      });
    case 20:
      // Reactions of every shape (well-formed ones relayed, and rationed per member: floods end
      // in 4429), a reaction frame as if from the room, and lowering every hand without being a host.
      return JSON.stringify(
        pick([
          { type: "react", reactions: pick([["clap"], ["clap", "heart", "party", "sad", "laugh"], [], Array(6).fill("clap"), ["wave"], ["👏"], "clap", null, [5], [junk()]]) },
          { type: "react", reactions: ["thumbs-up"] },
          { type: "reaction", from: pick(knownIds), reactions: ["clap"], at: 1 },
          { type: "lower-hands" },
          { type: "lower-hands", all: junk() },
        ]),
      );
    case 21:
      // Recording announcements of every shape (well-formed ones told to everyone, and rationed
      // per member: floods end in 4429), one claiming another's id or its own `since`, a
      // peer-recording as if from the room, and turning recording off without being a host.
      return JSON.stringify(
        pick([
          { type: "recording", kind: pick(["composite", "self", null, "screen", "Self", 5, true, undefined, { kind: "self" }, junk()]) },
          { type: "recording", kind: pick(["composite", "self"]), id: pick(knownIds), since: pick([0, 1, -1]) },
          { type: "peer-recording", id: pick(knownIds), recording: { kind: "composite", since: 1 } },
          { type: "access", recording: pick([false, "off", null, 0]) },
        ]),
      );
    case 22: {
      // SFU track announcements of every shape (this deployment has no SFU: each one refused
      // "not-sfu" or as a bad message), and the room's own transport frames as if from a client.
      const track = () => pick([{ name: "cam", role: "camera" }, { name: "", role: "mic" }, { name: "a b", role: "mic" }, { name: "x".repeat(200), role: "screen" }, { name: "m", role: "speaker" }, { name: "c", role: "camera", rids: pick([[], ["h", "h"], ["a", "b", "c", "d"], [5], "h"]) }, junk(), null]);
      return JSON.stringify(
        pick([
          { type: "sfu-tracks", session: pick(["0123456789abcdef0123456789abcdef", "", "s".repeat(200), "has space", 5, null, junk()]), tracks: pick([[], [track()], [track(), track()], Array.from({ length: 5 }, track), "cam", null]) },
          { type: "sfu-tracks", session: "0123456789abcdef0123456789abcdef", tracks: [{ name: "cam", role: "camera" }], id: pick(knownIds) },
          { type: "peer-sfu", id: pick(knownIds), sfu: { session: "s", tracks: [] } },
          { type: "transport", transport: { kind: "sfu", sfu: true } },
          { type: "roster", frames: [{ type: "peer-left", id: pick(knownIds) }] },
        ]),
      );
    }
    case 23: {
      // Relayed files' frames (protocol/features/file-relay.ts) of every shape: this room is on
      // the mesh, so even a well-formed offer is refused, and an answer or end names nothing.
      const transfer = pick(["A".repeat(22), "", "x".repeat(23), 5, null, junk()]);
      return JSON.stringify(
        pick([
          { type: "file-offer", transfer, to: pick([...knownIds, junk(), 5]), name: pick(["a.txt", "", "../etc/passwd", "a\u0000b", "n".repeat(300), 5, junk()]), size: pick([0, 10, -1, 1.5, 2 ** 60, "10", null]), mime: pick(["", "text/plain", "<html>", 5, "t".repeat(200)]), id: pick(["ab".repeat(32), "AB".repeat(32), "", 5, junk()]) },
          { type: "file-answer", transfer, accept: pick([true, false, "yes", null]) },
          { type: "file-end", transfer, reason: pick(["cancelled", "done", "failed", "declined", "expired", null, junk()]) },
          { type: "file-upload", transfer, url: "/api/rooms/x/files/y" },
          { type: "file-ready", transfer, url: "/api/rooms/x/files/y" },
        ]),
      );
    }
    default:
      return JSON.stringify({ type: "join", v: PROTOCOL_VERSION, name: "intruder", media: NO_MEDIA, resume: { id: pick(knownIds), token: junk().slice(0, 20) } });
  }
}

describe("fuzz", () => {
  // A meeting takes the full run; a stage (where intruders get in as viewers, three at most, and
  // B watches) a shorter one, for its seats and relay rules.
  it.each([
    ["meeting", 10_000],
    ["stage", 3_000],
  ] as const)("a %s survives %i hostile frames while honest members keep talking without loss", async (mode, FRAMES) => {
    // A holds the host key: host frames from anyone else must change nothing.
    const { id: room, hostKey } = await createHostedRoom({ mode });
    const a = await TestClient.join(room, "A", { hostKey });
    const b = await TestClient.join(room, "B");
    const r = rng(7);
    const ids = [a.id, b.id];

    let sent = 0;
    let sockets = 0;
    let answered = 0; // hostile sockets that got an error frame or were closed
    let honest = 0;
    while (sent < FRAMES) {
      const hostile = await TestClient.open(room, {}, false);
      sockets++;
      // Each hostile socket sends until the room closes it (or a batch ends).
      for (let i = 0; i < 60 && sent < FRAMES && hostile.closed === null; i++) {
        try {
          hostile.sendRaw(hostileFrame(r, ids));
        } catch {
          break; // the room closed it under us
        }
        sent++;
      }
      // Meanwhile the honest members talk.
      a.client.send({ type: "chat", text: `a${honest}`, cid: `a${honest}` });
      b.client.send({ type: "chat", text: `b${honest}`, cid: `b${honest}` });
      honest++;
      await hostile.waitFor(() => hostile.all("error").length > 0 || hostile.closed !== null, 5000, "an answer to the hostile socket");
      if (hostile.all("error").length > 0 || hostile.closed !== null) answered++;
      hostile.close();
    }
    expect(sent).toBe(FRAMES);
    expect(answered).toBe(sockets);

    // No honest message lost or doubled, in the same order for both.
    // Intruders that got a seat may chat too; only the honest members' messages are counted.
    const expected = honest * 2;
    const honestChat = (c: TestClient) => c.all("chat").filter((m) => ids.includes(m.message.from)).map((m) => m.message.text);
    await a.client.waitFor(() => honestChat(a.client).length >= expected && honestChat(b.client).length >= expected, 10_000, "honest chat");
    const seenA = honestChat(a.client);
    const seenB = honestChat(b.client);
    expect(seenA).toHaveLength(expected);
    expect(seenB).toEqual(seenA);
    expect(new Set(seenA).size).toBe(expected);
    expect(a.client.all("error")).toEqual([]);
    expect(b.client.all("error")).toEqual([]);
    expect(a.client.closed).toBeNull();
    // The room still admits newcomers and relays, once intruders' seats are released (their grace
    // period, then the alarm): asked again until then, so a slow machine does not fail it.
    let c: Awaited<ReturnType<typeof TestClient.join>> | null = null;
    for (let attempt = 0; attempt < 20 && !c; attempt++) {
      await new Promise((r) => setTimeout(r, 500));
      c = await TestClient.join(room, "C").catch(() => null);
    }
    if (!c) throw new Error("the room did not take a newcomer within 10 s");
    // What the intruders left behind is clean: names as the room cleans them, text well-formed.
    const stored = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => ({
      names: state.storage.sql.exec<{ name: string }>("SELECT name FROM members").toArray().map((r) => r.name),
      texts: state.storage.sql.exec<{ text: string }>("SELECT text FROM chat").toArray().map((r) => r.text),
      voices: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM chat WHERE voice IS NOT NULL").one().n,
      uploads: state.storage.sql.exec<{ member: string }>("SELECT member FROM voice_uploads").toArray().map((r) => r.member),
    }));
    // No message carries a recording nobody uploaded, and no member holds more unsent uploads than allowed.
    expect(stored.voices).toBe(0);
    for (const member of new Set(stored.uploads)) expect(stored.uploads.filter((m) => m === member).length).toBeLessThanOrEqual(VOICE_UNSENT_MAX);
    for (const name of stored.names) {
      expect(name.length).toBeGreaterThan(0);
      expect(cleanName(name)).toBe(name);
    }
    for (const text of stored.texts) expect(wellFormed(text)).toBe(text);
    c.client.send({ type: "signal", to: a.id, data: { kind: "candidate", candidate: null } });
    // Intruders that got a seat may have signalled A too (relayed, as to any member): C's is the one asked about.
    await a.client.waitFor(() => a.client.all("signal").some((m) => m.from === c.id), 5000, "C's signal");
    // The host frames changed nothing: no lock, no lobby, no passcode, the same host, the same
    // mode, and on a stage the same speaker (nobody moved itself up).
    expect(c.welcome.access).toEqual({ lobby: false, locked: false, passcode: false, recording: true });
    expect(c.welcome.peers.find((p) => p.id === a.id)?.role).toBe("host");
    expect(c.welcome.stage.mode).toBe(mode);
    const speakers = c.welcome.peers.filter((p) => p.seat === "speaker").map((p) => p.id);
    expect(speakers).toEqual(mode === "stage" ? [a.id] : c.welcome.peers.map((p) => p.id));
    expect(b.client.all("peer-seat")).toEqual([]);
    // Intruders' reactions reached the members as the room stamped them: none in an honest member's name.
    expect([...a.client.all("reaction"), ...b.client.all("reaction")].filter((m) => ids.includes(m.from))).toEqual([]);
    expect(b.client.all("mute-request")).toEqual([]);
    // Likewise recordings: nobody announced one in an honest member's name, and the roster says so.
    expect([...a.client.all("peer-recording"), ...b.client.all("peer-recording")].filter((m) => ids.includes(m.id))).toEqual([]);
    // On a stage C and B are both in the crowd (protocol/features/crowd.ts): C's welcome lists A only.
    expect(c.welcome.peers.filter((p) => ids.includes(p.id)).map((p) => p.recording)).toEqual(mode === "stage" ? [null] : [null, null]);
    // Nobody published on an SFU this deployment does not have, and the room never left the mesh.
    expect([...a.client.all("peer-sfu"), ...b.client.all("peer-sfu"), ...a.client.all("transport"), ...b.client.all("transport")]).toEqual([]);
    expect(c.welcome.peers.every((p) => p.sfu === null)).toBe(true);
    expect(c.welcome.transport).toEqual({ kind: "mesh", sfu: false });
    // A voice message still goes through: asked for, uploaded, sent, and played by the newcomer.
    a.client.send({ type: "voice-upload", cid: "honest-voice", mime: "audio/ogg", bytes: 64, durationMs: 1000 });
    const upload = await a.client.next("voice-upload");
    const ogg = new Uint8Array(64);
    ogg.set([0x4f, 0x67, 0x67, 0x53]);
    const put = await exports.default.fetch(`${ORIGIN}${upload.url}`, { method: "PUT", body: ogg });
    expect(put.status).toBe(201);
    await put.arrayBuffer();
    a.client.send({ type: "chat", text: "", cid: "honest-voice", voice: { key: upload.key } });
    expect((await c.client.next("chat")).message.voice).toMatchObject({ key: upload.key, type: "audio/ogg", bytes: 64 });
    const played = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/voice/${upload.key}?m=${c.welcome.mediaToken}`);
    expect(new Uint8Array(await played.arrayBuffer())).toEqual(ogg);
    console.log(`# measured: fuzz (${mode}): ${sent} hostile frames over ${sockets} sockets, ${honest * 2} honest messages delivered`);
  }, 120_000);

  it("keeps a room with a lobby and a passcode shut to 300 hostile frames, and open to the right passcode", async () => {
    const { id: room, hostKey } = await createHostedRoom({ lobby: true });
    const host = await TestClient.join(room, "Host", { hostKey });
    host.client.send({ type: "access", passcode: "the right one" });
    await host.client.next("access");
    const r = rng(11);
    let sent = 0;
    while (sent < 300) {
      const hostile = await TestClient.open(room, {}, false);
      for (let i = 0; i < 10 && hostile.closed === null; i++, sent++) {
        try {
          hostile.sendRaw(hostileFrame(r, [host.id]));
        } catch {
          break;
        }
      }
      await hostile.waitFor(() => hostile.all("error").length > 0 || hostile.closed !== null, 5000, "an answer to the hostile socket");
      hostile.close();
    }
    // Nobody got past the passcode: no knock reached the host, nothing changed, no error for it.
    expect(host.client.all("knock")).toEqual([]);
    expect(host.client.all("error")).toEqual([]);
    expect(host.client.closed).toBeNull();
    const guest = await TestClient.open(room);
    guest.send(joinFrame("Guest", { passcode: "the right one" }));
    await guest.next("lobby");
    host.client.send({ type: "admit", knocks: [(await host.client.next("knock")).knock.id] });
    const welcome = await guest.next("welcome");
    expect(welcome.access).toEqual({ lobby: true, locked: false, passcode: true, recording: true });
  }, 60_000);
});
