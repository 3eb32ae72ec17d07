// Sending a voice message through RoomSession (features/voice.ts with the chat feature): shown at
// once, then `voice-upload` → PUT → `chat {voice: {key}}` through the chat outbox; one recording in
// flight at a time; what each failure does to the message.

import { afterEach, describe, expect, it } from "vitest";
import { type ClientMessage, VOICE_MAX_BYTES } from "../../protocol/protocol";
import type { ChatItem, Recording } from "../../web/src/engine/session/room-session";
import { peer, setup, welcome } from "./session-fakes";

/** A fetch whose answers the test gives, one call at a time. */
class FakeFetch {
  readonly calls: Array<{ url: string; init: RequestInit; answer: (status: number) => void; fail: () => void }> = [];
  readonly fetch = ((url: RequestInfo | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      this.calls.push({
        url: String(url),
        init: init!,
        answer: (status) => resolve(new Response(status === 201 ? null : JSON.stringify({ error: "no" }), { status })),
        fail: () => reject(new TypeError("Failed to fetch")),
      });
    })) as typeof fetch;
}

/** Lets the session's awaits (the fetch, the response) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const KEY = "K".repeat(22);
const KEY2 = "L".repeat(22);
const recording = (bytes = 3, durationMs = 2_500): Recording => ({ blob: new Blob(["x".repeat(bytes)], { type: "audio/webm" }), type: "audio/webm", durationMs });

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function voiceSetup() {
  const http = new FakeFetch();
  const urls = { created: [] as string[], revoked: [] as string[] };
  const objectUrls = {
    create: () => {
      urls.created.push(`blob:${urls.created.length + 1}`);
      return urls.created.at(-1)!;
    },
    revoke: (url: string) => void urls.revoked.push(url),
  };
  const fakes = setup({ apiOrigin: "https://api.example", fetch: http.fetch, objectUrls });
  const { signaling, session } = fakes;
  cleanup.push(() => session.destroy());
  signaling.deliver(welcome(peer("me", "Al", 1), []));
  /** The voice and chat frames sent, as short strings. */
  const frames = () =>
    signaling.sent.flatMap((m: ClientMessage) => (m.type === "voice-upload" ? [`voice-upload ${m.cid}`] : m.type === "chat" ? [`chat ${m.cid} ${m.voice?.key ?? "-"}`] : []));
  const asks = () => signaling.sent.filter((m): m is Extract<ClientMessage, { type: "voice-upload" }> => m.type === "voice-upload");
  const voiceItems = () => session.state.chat.filter((i): i is Extract<ChatItem, { kind: "pending" }> => i.kind === "pending" && i.voice !== undefined);
  /** The room hands out a capability for the last request. */
  const capability = (key = KEY) => {
    const cid = asks().at(-1)!.cid;
    signaling.deliver({ type: "voice-upload", cid, key, url: `/api/rooms/r1/voice-upload/${key}?c=cap`, expires: 1 });
    return cid;
  };
  /** The room stored the chat message naming `key`: every member gets it, the sender too. */
  const stored = (cid: string, key: string, seq: number) =>
    signaling.deliver({ type: "chat", message: { seq, from: "me", name: "Al", text: "", ts: seq, cid, voice: { key, type: "audio/webm", bytes: 3, durationMs: 2_500 } } });
  const error = (code: "bad-voice" | "voice-throttled") => signaling.deliver({ type: "error", code, message: code });
  return { ...fakes, http, urls, frames, asks, voiceItems, capability, stored, error };
}

describe("sending a voice message", () => {
  it("shows it at once, playable here, then asks for a capability, PUTs the recording, and posts it through the chat outbox", async () => {
    const t = voiceSetup();
    expect(t.session.state.mediaToken).toBe("m".repeat(22));
    t.session.actions.sendVoice(recording(3, 2_500));
    const [item] = t.voiceItems();
    expect(item!.voice).toEqual({ url: "blob:1", type: "audio/webm", bytes: 3, durationMs: 2_500, status: "uploading", error: null });
    expect(t.asks()).toEqual([{ type: "voice-upload", cid: item!.cid, mime: "audio/webm", bytes: 3, durationMs: 2_500 }]);
    expect(t.http.calls).toEqual([]);

    const cid = t.capability();
    expect(t.http.calls).toHaveLength(1);
    const put = t.http.calls[0]!;
    expect(put.url).toBe(`https://api.example/api/rooms/r1/voice-upload/${KEY}?c=cap`);
    expect(put.init.method).toBe("PUT");
    expect(put.init.headers).toEqual({ "Content-Type": "audio/webm" });
    expect(await (put.init.body as Blob).text()).toBe("xxx");
    expect(t.frames()).toEqual([`voice-upload ${cid}`]);

    put.answer(201);
    await settle();
    expect(t.frames()).toEqual([`voice-upload ${cid}`, `chat ${cid} ${KEY}`]);
    expect(t.signaling.sent.at(-1)).toEqual({ type: "chat", text: "", cid, voice: { key: KEY } });
    expect(t.voiceItems()[0]!.voice!.status).toBe("sending");

    t.stored(cid, KEY, 1);
    // Confirmed: the room's message, still played from this device's copy.
    expect(t.voiceItems()).toEqual([]);
    expect(t.session.state.chat).toEqual([expect.objectContaining({ kind: "chat", localUrl: "blob:1", message: expect.objectContaining({ cid, voice: expect.objectContaining({ key: KEY }) }) })]);
  });

  it("has one recording in flight at a time: the next is asked for once the room has stored the last", async () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    t.session.actions.sendVoice(recording());
    expect(t.asks()).toHaveLength(1);
    expect(t.voiceItems().map((i) => i.voice!.status)).toEqual(["uploading", "uploading"]);
    const first = t.capability();
    t.http.calls[0]!.answer(201);
    await settle();
    expect(t.asks()).toHaveLength(1);
    t.stored(first, KEY, 1);
    expect(t.asks()).toHaveLength(2);
    expect(t.asks()[1]!.cid).toBe(t.voiceItems()[0]!.cid);
  });

  it("asks again on the welcome when the socket was down, and resends a posted message after a rejoin (same cid, same key)", async () => {
    const t = voiceSetup();
    t.signaling.connected = false;
    t.session.actions.sendVoice(recording());
    expect(t.asks()).toEqual([]);
    t.signaling.connected = true;
    t.signaling.deliver(welcome(peer("me", "Al", 1), [], { resumed: true, mediaToken: "n".repeat(22) }));
    expect(t.asks()).toHaveLength(1);
    expect(t.session.state.mediaToken).toBe("n".repeat(22));

    const cid = t.capability();
    t.http.calls[0]!.answer(201);
    await settle();
    t.signaling.deliver(welcome(peer("me", "Al", 1), [], { resumed: true }));
    expect(t.frames()).toEqual([`voice-upload ${cid}`, `chat ${cid} ${KEY}`, `chat ${cid} ${KEY}`]);
  });
});

describe("a voice message that fails", () => {
  const httpCases = [
    { status: 413, error: "too-large", retry: false },
    { status: 415, error: "bad-type", retry: false },
    { status: 500, error: "failed", retry: true },
  ] as const;
  for (const { status, error, retry } of httpCases) {
    it(`is marked ${error} on HTTP ${status}, and ${retry ? "can" : "cannot"} be sent again`, async () => {
      const t = voiceSetup();
      t.session.actions.sendVoice(recording());
      const cid = t.capability();
      t.http.calls[0]!.answer(status);
      await settle();
      expect(t.voiceItems()[0]!.voice).toMatchObject({ status: "failed", error });
      expect(t.frames()).toEqual([`voice-upload ${cid}`]);
      expect(t.session.actions.retryVoice(cid)).toBe(retry);
    });
  }

  it("is marked network when the upload does not get there; Send again uploads it anew, under the same cid", async () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    const cid = t.capability();
    t.http.calls[0]!.fail();
    await settle();
    expect(t.voiceItems()[0]!.voice).toMatchObject({ status: "failed", error: "network" });
    expect(t.session.actions.retryVoice(cid)).toBe(true);
    expect(t.voiceItems()[0]!.voice).toMatchObject({ status: "uploading", error: null });
    expect(t.asks().map((a) => a.cid)).toEqual([cid, cid]);
    t.capability(KEY2);
    t.http.calls[1]!.answer(201);
    await settle();
    expect(t.frames().at(-1)).toBe(`chat ${cid} ${KEY2}`);
  });

  it("asks for a new capability once when one expired on the way (403), and gives up on the second", async () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    const cid = t.capability();
    t.http.calls[0]!.answer(403);
    await settle();
    expect(t.asks()).toHaveLength(2);
    expect(t.voiceItems()[0]!.voice!.status).toBe("uploading");
    t.capability(KEY2);
    t.http.calls[1]!.answer(403);
    await settle();
    expect(t.voiceItems()[0]!.voice).toMatchObject({ status: "failed", error: "expired" });
    expect(t.frames()).toEqual([`voice-upload ${cid}`, `voice-upload ${cid}`]);
  });

  it("is marked throttled or too-large when the room refuses the request, and the next recording goes", () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    t.session.actions.sendVoice(recording());
    t.session.actions.sendVoice(recording());
    t.error("voice-throttled");
    t.error("bad-voice");
    expect(t.voiceItems().map((i) => i.voice!.error)).toEqual(["throttled", "too-large", null]);
    expect(t.asks()).toHaveLength(3);
  });

  it("is marked rejected when the room refuses the chat message naming it, leaves the outbox, and can go again", async () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    const cid = t.capability();
    t.http.calls[0]!.answer(201);
    await settle();
    t.error("bad-voice");
    expect(t.voiceItems()[0]!.voice).toMatchObject({ status: "failed", error: "rejected" });
    // Not resent with the outbox after a rejoin.
    t.signaling.deliver(welcome(peer("me", "Al", 1), [], { resumed: true }));
    expect(t.frames()).toEqual([`voice-upload ${cid}`, `chat ${cid} ${KEY}`]);
    expect(t.session.actions.retryVoice(cid)).toBe(true);
    expect(t.frames().at(-1)).toBe(`voice-upload ${cid}`);
  });

  it("is confirmed all the same if the room had stored it after all", () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    const cid = t.asks()[0]!.cid;
    t.error("voice-throttled");
    t.stored(cid, KEY, 1);
    expect(t.voiceItems()).toEqual([]);
    expect(t.session.actions.retryVoice(cid)).toBe(false);
  });

  it("is refused here when it is over the size limit or empty, without asking the room", () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording(VOICE_MAX_BYTES + 1));
    t.session.actions.sendVoice(recording(0));
    expect(t.voiceItems().map((i) => i.voice!.error)).toEqual(["too-large", "failed"]);
    expect(t.asks()).toEqual([]);
  });

  it("can be deleted (its blob URL let go); destroy lets the rest go and stops the upload", async () => {
    const t = voiceSetup();
    t.session.actions.sendVoice(recording());
    const failed = t.asks()[0]!.cid;
    t.error("bad-voice");
    t.session.actions.sendVoice(recording());
    t.capability();
    const signal = t.http.calls[0]!.init.signal!;
    expect(t.session.actions.discardVoice(failed)).toBe(true);
    expect(t.urls.revoked).toEqual(["blob:1"]);
    // A message still on its way cannot be deleted.
    expect(t.session.actions.discardVoice(t.voiceItems()[0]!.cid)).toBe(false);
    t.session.destroy();
    expect(signal.aborted).toBe(true);
    expect(t.urls.revoked).toEqual(["blob:1", "blob:2"]);
  });
});
