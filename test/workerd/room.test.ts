import { describe, expect, it } from "vitest";
import { NO_MEDIA, TestClient, createRoom } from "./client";

const offer = { kind: "description", description: { type: "offer", sdp: "v=0 fake" } };

describe("room behaviour", () => {
  it("welcomes a joiner with its id, the roster, history and settings, and tells the others", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "Aigul", { media: { mic: true, cam: true, screen: false } });
    expect(a.welcome.peers).toEqual([]);
    expect(a.welcome.you).toMatchObject({ name: "Aigul", media: { mic: true, cam: true, screen: false } });
    expect(a.welcome.settings).toMatchObject({ capacity: 4, maxFrameBytes: 65536, nameMaxChars: 64, chatMaxChars: 4000 });
    expect(a.welcome.lastSeq).toBe(0);

    const b = await TestClient.join(room, "Бакыт");
    expect(b.welcome.peers).toEqual([{ id: a.id, name: "Aigul", media: { mic: true, cam: true, screen: false }, joined: a.welcome.you.joined, away: false, role: "member", seat: "speaker", recording: null, sfu: null }]);
    expect(b.id).not.toBe(a.id);
    expect(b.welcome.you.joined).toBeGreaterThanOrEqual(a.welcome.you.joined);
    expect(b.welcome.resumeToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.welcome.resumeToken).not.toBe(a.welcome.resumeToken);
    const joined = await a.client.next("peer-joined");
    expect(joined.peer).toEqual({ id: b.id, name: "Бакыт", media: NO_MEDIA, joined: b.welcome.you.joined, away: false, role: "member", seat: "speaker", recording: null, sfu: null });
  });

  it("relays a signal only to the addressed peer, stamped with the sender's real id", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const c = await TestClient.join(room, "C");
    // A forged `from` in the payload is ignored: the room stamps the sender from the socket.
    a.client.send({ type: "signal", to: b.id, from: c.id, data: offer });
    const got = await b.client.next("signal");
    expect(got).toEqual({ type: "signal", from: a.id, data: offer });
    // C, not addressed, got nothing: a later chat is the first thing it sees after the joins.
    a.client.send({ type: "chat", text: "marker", cid: "m1" });
    await c.client.next("chat");
    expect(c.client.all("signal")).toEqual([]);
  });

  it("answers a signal to an unknown peer (or to oneself) with an error frame", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    a.client.send({ type: "signal", to: "nobody", data: offer });
    expect(await a.client.next("error")).toMatchObject({ code: "unknown-peer" });
    a.client.send({ type: "signal", to: a.id, data: offer });
    expect(await a.client.next("error")).toMatchObject({ code: "unknown-peer" });
  });

  it("refuses everything but join before joining", async () => {
    const room = await createRoom();
    const c = await TestClient.open(room);
    c.send({ type: "chat", text: "hi", cid: "x" });
    expect(await c.next("error")).toMatchObject({ code: "not-joined" });
    c.send({ type: "join", v: 1, name: "late", media: NO_MEDIA });
    await c.next("welcome");
    c.send({ type: "join", v: 1, name: "twice", media: NO_MEDIA });
    expect(await c.next("error")).toMatchObject({ code: "already-joined" });
  });

  it("broadcasts media state and keeps it in the roster", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "media", media: { mic: true, cam: false, screen: true } });
    expect(await b.client.next("peer-media")).toEqual({ type: "peer-media", id: a.id, media: { mic: true, cam: false, screen: true } });
    const c = await TestClient.join(room, "C");
    expect(c.welcome.peers.find((p) => p.id === a.id)?.media).toEqual({ mic: true, cam: false, screen: true });
  });

  it("announces a leave at once, and a lost socket as away, then gone when its grace period ends", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const c = await TestClient.join(room, "C");
    b.client.send({ type: "leave" });
    expect(await a.client.next("peer-left")).toEqual({ type: "peer-left", id: b.id });
    expect((await b.client.waitClosed()).code).toBe(1000);
    const lostAt = Date.now();
    c.client.close(1001, "network gone");
    expect(await a.client.next("peer-presence")).toEqual({ type: "peer-presence", id: c.id, away: true });
    const d = await TestClient.join(room, "D");
    expect(d.welcome.peers.map((p) => [p.id, p.away])).toEqual([[a.id, false], [c.id, true]]);
    // The grace period (2 s in these tests) ends by the room's alarm.
    expect(await a.client.next("peer-left", 6000)).toEqual({ type: "peer-left", id: c.id });
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(1900);
    expect(await d.client.next("peer-left")).toEqual({ type: "peer-left", id: c.id });
    // Exactly one peer-left per departure, no duplicates from close + error.
    expect(a.client.all("peer-left").map((m) => m.id)).toEqual([b.id, c.id]);
  });

  it("lets a member resume its seat with its token: same id, the others see away and back, never a leave", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "before", cid: "1" });
    await b.client.next("chat");
    a.client.close(4000, "dropped");
    await b.client.next("peer-presence");
    b.client.send({ type: "chat", text: "while away", cid: "2" });
    await b.client.next("chat");
    const back = await TestClient.join(room, "A", { resume: { id: a.id, token: a.welcome.resumeToken }, since: 1 });
    expect(back.welcome).toMatchObject({ resumed: true, you: { id: a.id }, lastSeq: 2 });
    expect(back.welcome.chat.map((m) => m.text)).toEqual(["while away"]);
    expect(await b.client.next("peer-presence")).toEqual({ type: "peer-presence", id: a.id, away: false });
    expect(b.client.all("peer-left")).toEqual([]);
    expect(b.client.all("peer-joined")).toEqual([]);
    b.client.send({ type: "signal", to: a.id, data: { kind: "candidate", candidate: null } });
    expect((await back.client.next("signal")).from).toBe(b.id);
  });

  it("hands the seat to a resume that overtakes a socket the room still thinks alive, and closes the old one with 4410", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const again = await TestClient.join(room, "A", { resume: { id: a.id, token: a.welcome.resumeToken } });
    expect(again.welcome.resumed).toBe(true);
    expect(await a.client.waitClosed()).toEqual({ code: 4410, reason: "resumed on a newer connection" });
    b.client.send({ type: "chat", text: "to the new socket", cid: "x" });
    expect((await again.client.next("chat")).message.text).toBe("to the new socket");
    // The replaced socket's close did not make A away or gone.
    expect(b.client.all("peer-presence")).toEqual([]);
    expect(b.client.all("peer-left")).toEqual([]);
  });

  it("refuses a resume with a wrong token: a fresh member instead", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const impostor = await TestClient.join(room, "A", { resume: { id: a.id, token: "x".repeat(22) } });
    expect(impostor.welcome.resumed).toBe(false);
    expect(impostor.id).not.toBe(a.id);
    expect(a.client.closed).toBeNull();
  });

  it("refuses the joiner past capacity with room-full and close 4409, and lets one in after a leave", async () => {
    const room = await createRoom();
    const members = [];
    for (let i = 0; i < 4; i++) members.push(await TestClient.join(room, `P${i}`));
    const extra = await TestClient.open(room);
    extra.send({ type: "join", v: 1, name: "fifth", media: NO_MEDIA });
    // The cap goes with the refusal, for the screen to say how many the room takes.
    expect(await extra.next("error")).toMatchObject({ code: "room-full", limit: 4 });
    expect(await extra.waitClosed()).toEqual({ code: 4409, reason: "room full" });
    // Nobody saw the refused joiner.
    expect(members[0]!.client.all("peer-joined").map((m) => m.peer.name)).toEqual(["P1", "P2", "P3"]);
    members[3]!.client.send({ type: "leave" });
    await members[0]!.client.next("peer-left");
    const again = await TestClient.join(room, "fifth");
    expect(again.welcome.peers).toHaveLength(3);
  });
});

describe("chat", () => {
  it("persists messages with increasing seq and server time, and echoes them to everyone", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    const before = Date.now();
    a.client.send({ type: "chat", text: "салам", cid: "a-1" });
    b.client.send({ type: "chat", text: "привет", cid: "b-1" });
    const seen = [await a.client.next("chat"), await a.client.next("chat")].map((m) => m.message);
    const seenB = [await b.client.next("chat"), await b.client.next("chat")].map((m) => m.message);
    expect(seenB).toEqual(seen);
    expect(seen.map((m) => m.seq)).toEqual([1, 2]);
    expect(seen.map((m) => m.text).sort()).toEqual(["привет", "салам"]);
    for (const m of seen) expect(m.ts).toBeGreaterThanOrEqual(before - 1000);
  });

  it("replays history to a late joiner and serves pages after sequence N", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    for (let i = 1; i <= 130; i++) a.client.send({ type: "chat", text: `m${i}`, cid: `c${i}` });
    await a.client.waitFor(() => a.client.all("chat").length === 130, 10_000, "130 echoes");
    // 130 frames fit in the test burst (150): nothing may have been refused.
    expect(a.client.all("error")).toEqual([]);

    const late = await TestClient.join(room, "Late");
    expect(late.welcome.lastSeq).toBe(130);
    expect(late.welcome.chat).toHaveLength(100);
    expect(late.welcome.chat[0]!.text).toBe("m31");
    expect(late.welcome.chat.at(-1)!.text).toBe("m130");

    late.client.send({ type: "history", after: 0 });
    const page1 = await late.client.next("history");
    expect(page1.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(page1.more).toBe(true);
    // The next page presents the last reply's one-time token.
    late.client.send({ type: "history", after: 100, ack: page1.ack });
    const page2 = await late.client.next("history");
    expect(page2.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 101));
    expect(page2.more).toBe(false);

    const since = await TestClient.join(room, "Since", { since: 125 });
    expect(since.welcome.chat.map((m) => m.text)).toEqual(["m126", "m127", "m128", "m129", "m130"]);
  });

  it("stores a resent message (same author, same cid) once and answers only its author", async () => {
    const room = await createRoom();
    const a = await TestClient.join(room, "A");
    const b = await TestClient.join(room, "B");
    a.client.send({ type: "chat", text: "once", cid: "same" });
    a.client.send({ type: "chat", text: "once", cid: "same" });
    const first = await a.client.next("chat");
    const second = await a.client.next("chat");
    expect(second.message).toEqual(first.message);
    b.client.send({ type: "chat", text: "after", cid: "same" }); // another author may reuse a cid
    await b.client.waitFor(() => b.client.all("chat").length === 2, 5000, "b's two chats");
    expect(b.client.all("chat").map((m) => m.message.text)).toEqual(["once", "after"]);
    const late = await TestClient.join(room, "C");
    expect(late.welcome.chat.map((m) => m.text)).toEqual(["once", "after"]);
  });
});
