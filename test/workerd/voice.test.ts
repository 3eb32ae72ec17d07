// Voice messages through the Worker, over real sockets and HTTP, into R2 and back (the bucket is
// the local simulation of the VOICE binding in wrangler.toml): upload capabilities, size and type
// refusals, playback for members only with Range, chat messages that carry a recording, and the
// recordings' deletion with the room. The rules themselves are unit-tested against the room core:
// test/unit/room-core-voice.test.ts.

import { MAX_UPLOADS_IN_FLIGHT } from "../../worker/durable/voice-http";
import { env, exports } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { VOICE_MAX_BYTES, VOICE_UPLOAD_TTL_MS, type VoiceType } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { SqliteChatLog } from "../../worker/storage/chat-log-sqlite";
import { ORIGIN, TestClient, createRoom, roomStub } from "./client";

const fetchApp = (path: string, init?: RequestInit) => exports.default.fetch(`${ORIGIN}${path}`, init);

/** The EBML header a recorder's WebM starts with, DocType "webm". */
const EBML = [0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d];
const HEADS: Record<VoiceType, number[]> = {
  "audio/webm": EBML,
  "audio/mp4": [0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x4d, 0x34, 0x41, 0x20],
  "audio/ogg": [0x4f, 0x67, 0x67, 0x53, 0x00, 0x02],
};

/** A recording of `type`, `size` bytes long: its real signature, then a pattern (so that ranges can be checked). */
function recording(type: VoiceType, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7) & 0xff;
  bytes.set(HEADS[type].slice(0, size));
  return bytes;
}

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

let cids = 0;
/** Asks the room for an upload capability. */
async function ask(member: Joined, type: VoiceType = "audio/webm", bytes = 2000, durationMs = 1500) {
  member.client.send({ type: "voice-upload", cid: `v${++cids}`, mime: type, bytes, durationMs });
  return member.client.next("voice-upload");
}

/**
 * PUTs a recording and reads the JSON answer whole: a body left unread would keep the room's
 * request open (and an eviction waiting for it).
 */
async function put(url: string, body: BodyInit | null, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetchApp(url, { method: "PUT", body, headers });
  return { status: res.status, json: await res.json() };
}
const play = (room: string, key: string, token: string | null, init: RequestInit = {}) =>
  fetchApp(`/api/rooms/${room}/voice/${key}${token === null ? "" : `?m=${token}`}`, init);

/** Asks, uploads and sends a voice message; returns its key and the bytes stored. */
async function sendVoice(member: Joined, type: VoiceType = "audio/webm", size = 2000) {
  const upload = await ask(member, type, size);
  const body = recording(type, size);
  const res = await put(upload.url, body);
  expect(res.status).toBe(201);
  member.client.send({ type: "chat", text: "", cid: upload.cid, voice: { key: upload.key } });
  await member.client.waitFor(() => member.client.all("chat").some((c) => c.message.voice?.key === upload.key), 5000, "the voice message's echo");
  return { key: upload.key, body };
}

/** Polls `check` until it holds, or fails after `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function objectKeys(prefix: string): Promise<string[]> {
  return (await env.VOICE.list({ prefix })).objects.map((o) => o.key);
}

describe("voice: uploading", () => {
  it("stores a member's recording in R2 under its room's prefix, sends the reference in chat, and plays it to the others", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const upload = await ask(a, "audio/webm", 2000, 1500);
    expect(upload.url).toMatch(new RegExp(`^/api/rooms/${room}/voice/${upload.key}\\?cap=[A-Za-z0-9_-]{22}$`));
    expect(upload.expires).toBeGreaterThan(Date.now());
    expect(upload.expires).toBeLessThanOrEqual(Date.now() + VOICE_UPLOAD_TTL_MS);
    const body = recording("audio/webm", 2000);
    const res = await put(upload.url, body, { "Content-Type": "text/html" });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ key: upload.key, type: "audio/webm", bytes: 2000 });
    const object = await env.VOICE.head(`vm/${room}/${upload.key}`);
    expect(object?.size).toBe(2000);
    expect(object?.httpMetadata?.contentType).toBe("audio/webm");

    a.client.send({ type: "chat", text: "", cid: upload.cid, voice: { key: upload.key } });
    const ref = { key: upload.key, type: "audio/webm", bytes: 2000, durationMs: 1500 };
    expect((await b.client.next("chat")).message).toMatchObject({ from: a.id, text: "", cid: upload.cid, voice: ref });
    expect((await a.client.next("chat")).message.voice).toEqual(ref);

    const got = await play(room, upload.key, b.welcome.mediaToken);
    expect(got.status).toBe(200);
    expect(Object.fromEntries(got.headers)).toMatchObject({
      "content-type": "audio/webm",
      "content-length": "2000",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private",
      "accept-ranges": "bytes",
    });
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
    const head = await play(room, upload.key, a.welcome.mediaToken, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("audio/webm");
    expect(head.headers.get("content-length")).toBe("2000");
    expect(await head.text()).toBe("");

    // A late joiner finds it in the welcome, and plays it with its own token.
    const c = await TestClient.join(room, "C");
    expect(c.welcome.chat.at(-1)?.voice).toEqual(ref);
    expect((await play(room, upload.key, c.welcome.mediaToken)).status).toBe(200);
  });

  it("serves each allowed type as itself", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    for (const type of ["audio/mp4", "audio/ogg"] as const) {
      const { key } = await sendVoice(a, type, 500);
      const res = await play(room, key, a.welcome.mediaToken);
      expect(res.headers.get("content-type")).toBe(type);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(recording(type, 500));
    }
  });

  it("issues capabilities to members only, and refuses a declared size past the limit", async () => {
    const room = await createRoom();
    const stranger = await TestClient.open(room);
    stranger.send({ type: "voice-upload", cid: "x", mime: "audio/webm", bytes: 100, durationMs: 100 });
    expect((await stranger.next("error")).code).toBe("not-joined");
    const a = await TestClient.join(room, "A");
    a.client.send({ type: "voice-upload", cid: "x", mime: "audio/webm", bytes: VOICE_MAX_BYTES + 1, durationMs: 100 });
    expect((await a.client.next("error")).code).toBe("bad-voice");
  });

  it("refuses a PUT without the capability, with a wrong one, twice, or after it expired (403, JSON)", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const upload = await ask(a);
    const path = upload.url.split("?")[0]!;
    const body = recording("audio/webm", 2000);
    for (const url of [path, `${path}?cap=`, `${path}?cap=${"A".repeat(22)}`]) {
      const res = await put(url, body);
      expect(res.status, url).toBe(403);
      expect(res.json).toMatchObject({ status: 403, error: expect.stringMatching(/capability/) });
    }
    // Another room's URL with this capability: that room issued nothing under the key.
    const other = await createRoom();
    expect((await put(upload.url.replace(room, other), body)).status).toBe(403);
    expect((await put(upload.url, body)).status).toBe(201);
    const twice = await put(upload.url, body);
    expect(twice.status).toBe(403);
    expect(twice.json).toMatchObject({ error: expect.stringMatching(/used/) });

    const late = await ask(a);
    // The capability's time has passed (the room's clock is not the test's to move).
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE voice_uploads SET expires = ? WHERE key = ?", Date.now() - 1, late.key);
    });
    const expired = await put(late.url, body);
    expect(expired.status).toBe(403);
    expect(expired.json).toMatchObject({ error: expect.stringMatching(/expired/) });
    expect(await objectKeys(`vm/${room}/${late.key}`)).toEqual([]);
  });

  it("refuses a recording larger than declared (413), by its Content-Length or by what it sends", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const declared = await ask(a, "audio/webm", 1000);
    const res = await put(declared.url, recording("audio/webm", 1001));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ status: 413, error: expect.stringMatching(/larger than the 1000 bytes/) });
    // Without a Content-Length (chunked): the Worker stops reading past the limit.
    const streamed = await ask(a, "audio/webm", 1000);
    const chunks = [recording("audio/webm", 600), new Uint8Array(600)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect((await put(streamed.url, body)).status).toBe(413);
    // The capability was spent on the refused attempt; nothing was stored.
    expect((await put(declared.url, recording("audio/webm", 1000))).status).toBe(403);
    expect(await objectKeys(`vm/${room}/`)).toEqual([]);
  });

  it(`reads at most ${MAX_UPLOADS_IN_FLIGHT} uploads at once per room (503 for the next), so parallel uploads cannot exhaust the room's memory`, async () => {
    const room = await createRoom();
    const members = [await TestClient.join(room, "A"), await TestClient.join(room, "B")];
    // Uploads that have sent their first bytes and then wait: each holds a slot.
    const releases: Array<() => void> = [];
    const pending: Array<Promise<{ status: number; json: unknown }>> = [];
    for (let i = 0; i < MAX_UPLOADS_IN_FLIGHT; i++) {
      const upload = await ask(members[i % 2]!, "audio/webm", 1000);
      let release!: () => void;
      const more = new Promise<void>((r) => (release = r));
      releases.push(release);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent++ === 0) return controller.enqueue(recording("audio/webm", 500));
          await more;
          controller.enqueue(new Uint8Array(500));
          controller.close();
        },
      });
      pending.push(put(upload.url, body));
    }
    const extra = await ask(members[0]!, "audio/webm", 1000);
    await eventually(async () => {
      const res = await put(extra.url, recording("audio/webm", 1000));
      return res.status === 503;
    }, "the fifth parallel upload refused (503)", 5000);
    for (const release of releases) release();
    for (const res of await Promise.all(pending)) expect(res.status).toBe(201);
  });

  it("refuses bytes that are not the declared type, or not audio at all (415)", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const cases: Array<[VoiceType, Uint8Array]> = [
      ["audio/webm", recording("audio/ogg", 500)],
      ["audio/mp4", recording("audio/webm", 500)],
      ["audio/ogg", new TextEncoder().encode("<!doctype html><script>alert(document.cookie)</script>")],
      ["audio/webm", new Uint8Array(0)],
    ];
    for (const [type, body] of cases) {
      const upload = await ask(a, type, 500);
      const res = await put(upload.url, body);
      expect(res.status, type).toBe(415);
      expect(res.json).toMatchObject({ status: 415, error: expect.stringContaining(`not ${type}`) });
    }
    expect(await objectKeys(`vm/${room}/`)).toEqual([]);
  });
});

describe("voice: playing", () => {
  it("answers Range requests with 206 and Content-Range, and 416 past the end", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const { key, body } = await sendVoice(a, "audio/mp4", 2000);
    const ranged = (range: string) => play(room, key, a.welcome.mediaToken, { headers: { Range: range } });
    // Safari's first request.
    const first = await ranged("bytes=0-1");
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe("bytes 0-1/2000");
    expect(first.headers.get("content-length")).toBe("2");
    expect(first.headers.get("content-type")).toBe("audio/mp4");
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(body.slice(0, 2));
    const rest = await ranged("bytes=1000-");
    expect(rest.status).toBe(206);
    expect(rest.headers.get("content-range")).toBe("bytes 1000-1999/2000");
    expect(new Uint8Array(await rest.arrayBuffer())).toEqual(body.slice(1000));
    const tail = await ranged("bytes=-10");
    expect(tail.headers.get("content-range")).toBe("bytes 1990-1999/2000");
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(body.slice(1990));
    const past = await ranged("bytes=2000-");
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */2000");
    expect(await past.json()).toMatchObject({ status: 416 });
    // Several ranges at once are answered with the whole recording.
    const several = await ranged("bytes=0-1,5-6");
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(2000);
  });

  it("plays for members only: 403 without a token, with a wrong one, or once its member left; 404 for another room's recording", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const { key } = await sendVoice(a);
    for (const token of [null, "", "x".repeat(22), a.welcome.resumeToken]) {
      const res = await play(room, key, token);
      expect(res.status, String(token)).toBe(403);
      expect(await res.json()).toMatchObject({ status: 403, error: expect.stringMatching(/member/) });
    }
    expect((await play(room, key, b.welcome.mediaToken)).status).toBe(200);
    b.client.send({ type: "leave" });
    await b.client.waitClosed();
    expect((await play(room, key, b.welcome.mediaToken)).status).toBe(403);

    const other = await createRoom();
    const o = await TestClient.join(other, "O");
    const own = await sendVoice(o);
    // This room's member asking this room for the other room's recording: not here.
    const missing = await play(room, own.key, a.welcome.mediaToken);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, error: expect.stringMatching(/no such voice message/) });
    // The other room's URL with this room's token: not a member there.
    expect((await play(other, key, a.welcome.mediaToken)).status).toBe(403);
    expect((await play(other, own.key, a.welcome.mediaToken)).status).toBe(403);
    // Not stored yet: asked for, never uploaded.
    const pending = await ask(a);
    expect((await play(room, pending.key, a.welcome.mediaToken)).status).toBe(404);
    // A malformed key never reaches a room.
    expect((await play(room, "short", a.welcome.mediaToken)).status).toBe(404);
    expect((await fetchApp(`/api/rooms/${room}/voice/${key}?m=${a.welcome.mediaToken}`, { method: "POST" })).status).toBe(404);
  });

  it("keeps a member's media token across a resume after eviction", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const { key } = await sendVoice(a);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    await a.client.waitClosed();
    const back = await TestClient.join(room, "A", { resume: { id: a.id, token: a.welcome.resumeToken } });
    expect(back.welcome).toMatchObject({ resumed: true, mediaToken: a.welcome.mediaToken });
    expect((await play(room, key, back.welcome.mediaToken)).status).toBe(200);
  });
});

describe("voice: chat messages", () => {
  it("refuses a voice key the sender did not upload, or has not uploaded yet (bad-voice)", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const { key } = await sendVoice(a);
    b.client.send({ type: "chat", text: "", cid: "steal", voice: { key } });
    expect((await b.client.next("error")).code).toBe("bad-voice");
    const pending = await ask(b);
    b.client.send({ type: "chat", text: "", cid: "early", voice: { key: pending.key } });
    expect((await b.client.next("error")).code).toBe("bad-voice");
    // The same recording in a second message.
    a.client.send({ type: "chat", text: "", cid: "again", voice: { key } });
    expect((await a.client.next("error")).code).toBe("bad-voice");
    const stored = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.sql.exec<{ cid: string }>("SELECT cid FROM chat").toArray().map((r) => r.cid));
    expect(stored).toHaveLength(1);
  });

  it("reads and trims voice messages in SQLite, handing back the keys of those it drops", async () => {
    const room = await createRoom();
    const keys = await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      const log = new SqliteChatLog(state.storage.sql, { fresh: false });
      const voice = (key: string) => ({ key, type: "audio/ogg" as const, bytes: 10, durationMs: 20 });
      log.append({ from: "p1", name: "A", text: "", ts: 1, cid: "1", voice: voice("a".repeat(22)) });
      log.append({ from: "p1", name: "A", text: "text", ts: 2, cid: "2" });
      log.append({ from: "p1", name: "A", text: "", ts: 3, cid: "3", voice: voice("b".repeat(22)) });
      log.append({ from: "p1", name: "A", text: "", ts: 4, cid: "4", voice: voice("c".repeat(22)) });
      const read = log.after(0, 10).map((m) => m.voice?.key ?? null);
      const dropped = log.trim({ messages: 1, bytes: 1024 * 1024 });
      return { read, dropped, left: log.tail(10).map((m) => m.voice) };
    });
    expect(keys.read).toEqual(["a".repeat(22), null, "b".repeat(22), "c".repeat(22)]);
    expect(keys.dropped).toEqual(["a".repeat(22), "b".repeat(22)]);
    expect(keys.left).toEqual([{ key: "c".repeat(22), type: "audio/ogg", bytes: 10, durationMs: 20 }]);
  });
});

describe("voice: deletion", () => {
  it("deletes a recording never sent once its time is over", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const upload = await ask(a);
    expect((await put(upload.url, recording("audio/webm", 2000))).status).toBe(201);
    expect(await objectKeys(`vm/${room}/`)).toEqual([`vm/${room}/${upload.key}`]);
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE voice_uploads SET expires = 0 WHERE key = ?", upload.key);
    });
    // The room looks over its uploads when a member next asks for one, and has the bucket
    // delete what it forgot (after its answer: the deletion does not hold the answer up).
    await ask(a);
    await eventually(async () => (await objectKeys(`vm/${room}/`)).length === 0, "the recording's deletion");
    expect((await play(room, upload.key, a.welcome.mediaToken)).status).toBe(404);
  });

  it("deletes every recording of a room deleted after standing empty, and no other room's", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    await sendVoice(a);
    await sendVoice(a, "audio/ogg", 300);
    const unsent = await ask(a);
    expect((await put(unsent.url, recording("audio/webm", 2000))).status).toBe(201);
    const other = await createRoom();
    const o = await TestClient.join(other, "O");
    const kept = await sendVoice(o);
    expect(await objectKeys(`vm/${room}/`)).toHaveLength(3);
    a.client.send({ type: "leave" });
    await a.client.waitClosed();
    // Pretend the retention (24 h) has passed: the room became empty long ago (read anew by the next instance).
    await runInDurableObject(roomStub(room), (_i: RoomDO, state) => {
      state.storage.sql.exec("UPDATE meta SET value = 1 WHERE key = 'empty_since'");
    });
    await evictDurableObject(roomStub(room));
    expect(await runDurableObjectAlarm(roomStub(room))).toBe(true);
    expect(await objectKeys(`vm/${room}/`)).toEqual([]);
    expect(await objectKeys(`vm/${other}/`)).toEqual([`vm/${other}/${kept.key}`]);
    expect((await play(room, kept.key, a.welcome.mediaToken)).status).toBe(404);
  });
});
