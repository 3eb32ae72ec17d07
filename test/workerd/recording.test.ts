// Recording consent (issue #15) through real WebSocket upgrades on the Worker and the room Durable
// Object: a recording is announced to everyone, the recorder too, stamped with the room's clock;
// it is in every welcome, survives eviction, stays while its member is away and goes with it; a
// host or cohost can turn recording off; and toggling is rationed. RESUME_GRACE_SECONDS is 2 here
// (vitest.config.ts).

import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RecordingInfo, ServerMessage } from "../../protocol/protocol";
import type { RoomDO } from "../../worker/durable/room-do";
import { RECORDING_POLICY } from "../../worker/room/features/recording";
import { TestClient, createHostedRoom, roomStub } from "./client";

type Joined = Awaited<ReturnType<typeof TestClient.join>>;

/** A room with its host and `members` members. */
async function hostedRoom(members: number) {
  const { id: room, hostKey } = await createHostedRoom();
  const host = await TestClient.join(room, "Host", { hostKey });
  const others: Joined[] = [];
  for (let i = 0; i < members; i++) others.push(await TestClient.join(room, `M${i}`));
  return { room, hostKey, host, others };
}

/** Waits until a frame matching `pred` has arrived (whatever else came before or after it). */
async function arrived<T extends ServerMessage["type"]>(c: TestClient, type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true) {
  await c.waitFor(() => c.all(type).some(pred), 5000, type);
  return c.all(type).filter(pred).at(-1)!;
}

/** The peer-recording frames about `id` this client has seen, as recordings. */
const seen = (c: TestClient, id: string) => c.all("peer-recording").filter((f) => f.id === id).map((f) => f.recording);

const recordingOf = (j: Joined, id: string) => j.welcome.peers.find((p) => p.id === id)?.recording;

describe("recording: announcements", () => {
  it("tells everyone, the recorder too, with `since` by the room's clock; a late joiner's welcome has it; a stop clears it", async () => {
    const { room, host, others } = await hostedRoom(2);
    const [a, b] = others as [Joined, Joined];
    // A client's own `since` (and anything else in the frame) is not the room's word.
    a.client.send({ type: "recording", kind: "composite", since: 1 });
    const started = await a.client.next("peer-recording");
    expect(started).toMatchObject({ type: "peer-recording", id: a.id, recording: { kind: "composite" } });
    const since = started.recording!.since;
    // The room's clock: no earlier than its join stamp (also the room's), no later than now.
    expect(since).toBeGreaterThanOrEqual(a.welcome.you.joined);
    expect(since).toBeLessThanOrEqual(Date.now());
    for (const c of [host, b]) expect(await c.client.next("peer-recording")).toEqual(started);
    const late = await TestClient.join(room, "Late");
    expect(recordingOf(late, a.id)).toEqual({ kind: "composite", since });
    expect(late.welcome.peers.filter((p) => p.id !== a.id).map((p) => p.recording)).toEqual([null, null]);

    a.client.send({ type: "recording", kind: null });
    for (const c of [host, a, b, late]) {
      expect(await c.client.next("peer-recording")).toEqual({ type: "peer-recording", id: a.id, recording: null });
    }
    // The room holds four (vitest.config.ts): the late joiner makes way for the next one.
    late.client.send({ type: "leave" });
    await arrived(host.client, "peer-left", (f) => f.id === late.id);
    expect(recordingOf(await TestClient.join(room, "Later"), a.id)).toBeNull();
  });

  it("sends nothing for the same kind twice; another kind restarts `since`", async () => {
    const { host, others } = await hostedRoom(1);
    const [a] = others as [Joined];
    a.client.send({ type: "recording", kind: "self" });
    a.client.send({ type: "recording", kind: "self" });
    // A stop after the repeat: frames keep their order, so a frame for the repeat would come first.
    a.client.send({ type: "recording", kind: null });
    a.client.send({ type: "recording", kind: "self" });
    a.client.send({ type: "recording", kind: "composite" });
    for (const c of [host, a]) await arrived(c.client, "peer-recording", (f) => f.recording?.kind === "composite");
    const kinds = seen(host.client, a.id).map((r) => r?.kind ?? null);
    expect(kinds).toEqual(["self", null, "self", "composite"]);
    expect(seen(a.client, a.id).map((r) => r?.kind ?? null)).toEqual(kinds);
    const [, , again, switched] = seen(host.client, a.id) as [RecordingInfo, null, RecordingInfo, RecordingInfo];
    expect(switched.since).toBeGreaterThanOrEqual(again.since);
    expect(a.client.all("error")).toEqual([]);
  });
});

describe("recording: the member's lifetime", () => {
  it("goes with a member that leaves: peer-left for everyone, and the next welcome does not have it", async () => {
    const { room, host, others } = await hostedRoom(2);
    const [a, b] = others as [Joined, Joined];
    a.client.send({ type: "recording", kind: "self" });
    await arrived(b.client, "peer-recording", (f) => f.id === a.id);
    a.client.send({ type: "leave" });
    for (const c of [host, b]) expect(await c.client.next("peer-left")).toEqual({ type: "peer-left", id: a.id });
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.peers.map((p) => p.id)).not.toContain(a.id);
    expect(late.welcome.peers.map((p) => p.recording)).toEqual([null, null]);
  });

  it("stays while the member is away, comes back with its resume, and goes when its resume window lapses", async () => {
    const { room, host, others } = await hostedRoom(1);
    const [a] = others as [Joined];
    a.client.send({ type: "recording", kind: "composite" });
    const { recording } = await arrived(host.client, "peer-recording", (f) => f.id === a.id);
    a.client.close(4000, "dropped");
    await arrived(host.client, "peer-presence", (f) => f.id === a.id && f.away);
    // Away, it may well still record: everyone is told so.
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.peers.find((p) => p.id === a.id)).toMatchObject({ away: true, recording });
    const back = await TestClient.join(room, "M0", { resume: { id: a.id, token: a.welcome.resumeToken } });
    expect(back.welcome).toMatchObject({ resumed: true, you: { id: a.id, recording } });
    // Dropped again, and not back: the grace period (2 s here) ends by the room's alarm.
    back.client.close(4000, "dropped for good");
    expect(await host.client.next("peer-left", 8000)).toEqual({ type: "peer-left", id: a.id });
    expect(await late.client.next("peer-left", 8000)).toEqual({ type: "peer-left", id: a.id });
    const last = await TestClient.join(room, "Last");
    expect(last.welcome.peers.map((p) => p.id)).not.toContain(a.id);
    expect(host.client.all("peer-recording").filter((f) => f.id === a.id)).toHaveLength(1);
  });

  it("survives the room object's eviction, with hibernating sockets and with closed ones", async () => {
    const { room, host, others } = await hostedRoom(1);
    const [a] = others as [Joined];
    a.client.send({ type: "recording", kind: "self" });
    const { recording } = await arrived(host.client, "peer-recording", (f) => f.id === a.id);
    const stored = await runInDurableObject(roomStub(room), (_i: RoomDO, state) =>
      state.storage.sql.exec("SELECT recording_kind, recording_since FROM members WHERE id = ?", a.id).one(),
    );
    expect(stored).toEqual({ recording_kind: "self", recording_since: recording!.since });

    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    expect(recordingOf(await TestClient.join(room, "After hibernation"), a.id)).toEqual(recording);

    await evictDurableObject(roomStub(room), { webSockets: "close" });
    await a.client.waitClosed();
    const back = await TestClient.join(room, "M0", { resume: { id: a.id, token: a.welcome.resumeToken } });
    expect(back.welcome.you.recording).toEqual(recording);
    // And it still stops.
    back.client.send({ type: "recording", kind: null });
    expect(await back.client.next("peer-recording")).toEqual({ type: "peer-recording", id: a.id, recording: null });
  });
});

describe("recording: the room's switch", () => {
  it("refuses a start with recording-off once a host turns recording off; a stop still goes through; on again, it starts", async () => {
    const { room, host, others } = await hostedRoom(2);
    const [a, b] = others as [Joined, Joined];
    expect(a.welcome.access.recording).toBe(true);
    b.client.send({ type: "recording", kind: "composite" });
    await arrived(a.client, "peer-recording", (f) => f.id === b.id);
    host.client.send({ type: "access", recording: false });
    for (const c of [host, a, b]) expect((await c.client.next("access")).access).toEqual({ lobby: false, locked: false, passcode: false, recording: false });
    const late = await TestClient.join(room, "Late");
    expect(late.welcome.access.recording).toBe(false);
    // The room holds four (vitest.config.ts): it makes way for the one after the eviction.
    late.client.send({ type: "leave" });
    await arrived(host.client, "peer-left", (f) => f.id === late.id);

    a.client.send({ type: "recording", kind: "self" });
    expect(await a.client.next("error")).toMatchObject({ code: "recording-off" });
    // The room leaves a running recording as it is (its client stops on the access frame): the stop is taken.
    b.client.send({ type: "recording", kind: null });
    expect(await a.client.next("peer-recording")).toEqual({ type: "peer-recording", id: b.id, recording: null });
    await arrived(host.client, "peer-recording", (f) => f.id === b.id && f.recording === null);
    expect(seen(host.client, a.id)).toEqual([]);
    expect(a.client.closed).toBeNull();

    // Kept across an eviction, then turned on again.
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    expect((await TestClient.join(room, "After")).welcome.access.recording).toBe(false);
    host.client.send({ type: "access", recording: true });
    await arrived(a.client, "access", (f) => f.access.recording);
    a.client.send({ type: "recording", kind: "self" });
    expect((await arrived(host.client, "peer-recording", (f) => f.id === a.id)).recording).toMatchObject({ kind: "self" });
  });

  it("answers a member's access.recording with forbidden and changes nothing; a cohost may change it", async () => {
    const { room, host, others } = await hostedRoom(2);
    const [m, c] = others as [Joined, Joined];
    m.client.send({ type: "access", recording: false });
    expect(await m.client.next("error")).toMatchObject({ code: "forbidden" });
    const stored = () =>
      runInDurableObject(roomStub(room), (_i: RoomDO, state) => state.storage.sql.exec<{ recording: number }>("SELECT recording FROM room_access").one().recording);
    expect(await stored()).toBe(1);
    expect(host.client.all("access")).toEqual([]);
    host.client.send({ type: "set-role", id: c.id, role: "cohost" });
    await arrived(c.client, "peer-role", (r) => r.id === c.id);
    c.client.send({ type: "access", recording: false });
    expect((await m.client.next("access")).access.recording).toBe(false);
    expect(await stored()).toBe(0);
    expect(c.client.all("error")).toEqual([]);
  });
});

describe("recording: the ration", () => {
  it("bounds toggling: rate-limited, then the member is expelled with 4429; the others are unaffected", async () => {
    const { host, others } = await hostedRoom(2);
    const [a, b] = others as [Joined, Joined];
    for (let i = 0; i < 40 && a.client.closed === null; i++) {
      try {
        a.client.send({ type: "recording", kind: i % 2 === 0 ? "self" : "composite" });
      } catch {
        break;
      }
    }
    expect(await a.client.waitClosed()).toEqual({ code: 4429, reason: "too many recording changes" });
    expect(a.client.all("error").map((e) => e.code)).toEqual(["rate-limited"]);
    expect((await arrived(host.client, "peer-left")).id).toBe(a.id);
    // The room told a handful of changes, not forty.
    expect(seen(host.client, a.id).length).toBeLessThanOrEqual(RECORDING_POLICY.rate.burst + 1);
    // The others keep their own ration and their sockets.
    b.client.send({ type: "recording", kind: "composite" });
    expect((await arrived(host.client, "peer-recording", (f) => f.id === b.id)).recording).toMatchObject({ kind: "composite" });
    expect(b.client.all("error")).toEqual([]);
    expect(b.client.closed).toBeNull();
    expect(host.client.closed).toBeNull();
  });
});
