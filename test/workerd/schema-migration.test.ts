import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TestClient, createHostedRoom, createRoom, roomStub } from "./client";
import { SCHEMA_VERSION } from "../../worker/storage/schema";

// The tables exactly as the code before versioned storage created them (worker/room-schema.ts),
// with no schema_version row: what a room made by that code holds when it wakes under this one.
const V1_SCHEMA = `
    CREATE TABLE members (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      mic INTEGER NOT NULL,
      cam INTEGER NOT NULL,
      screen INTEGER NOT NULL,
      joined INTEGER NOT NULL,
      token TEXT NOT NULL,
      away_since INTEGER
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER);
    -- AUTOINCREMENT, so that a sequence number is never handed out twice, even after old rows
    -- are deleted: clients resume "after seq N" and must never miss a reused number.
    CREATE TABLE IF NOT EXISTS chat (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      author TEXT NOT NULL,
      name TEXT NOT NULL,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      cid TEXT NOT NULL,
      UNIQUE (author, cid)
    );`;

const OLD = { id: "oldmember001", token: "T".repeat(22), name: "Old", joined: 1_700_000_000_000 };

/** Replaces whatever the room created on construction with a version-1 room holding one member and three messages. */
async function makeV1Room(): Promise<string> {
  const room = await createRoom();
  await runInDurableObject(roomStub(room), (_instance, state) => {
    const sql = state.storage.sql;
    // Every table the current code creates; version 1 had only these three.
    const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
    for (const { name } of tables) sql.exec(`DROP TABLE ${name}`);
    sql.exec(V1_SCHEMA);
    // Its socket is gone (the room was evicted), so it comes back as away and may resume.
    sql.exec("INSERT INTO members VALUES (?, ?, 1, 0, 0, ?, ?, NULL)", OLD.id, OLD.name, OLD.joined, OLD.token);
    for (const [i, text] of ["one", "two", "three"].entries()) {
      sql.exec("INSERT INTO chat (author, name, text, ts, cid) VALUES (?, ?, ?, ?, ?)", OLD.id, OLD.name, text, OLD.joined + i, `c${i}`);
    }
  });
  await evictDurableObject(roomStub(room));
  return room;
}

type Column = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };

/** Every table's columns and indexes, to compare a migrated room with a new one. */
function shape(sql: SqlStorage) {
  const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").toArray();
  return tables.map(({ name }) => ({
    name,
    columns: sql.exec<Column>(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}')`).toArray(),
    indexes: sql.exec<{ unique: number; origin: string }>(`SELECT "unique", origin FROM pragma_index_list('${name}')`).toArray(),
  }));
}

describe("versioned storage", () => {
  it("upgrades a room made by the previous code when it wakes: data kept, role and seat added with their defaults", async () => {
    const room = await makeV1Room();
    const after = await runInDurableObject(roomStub(room), (_instance, state) => {
      const sql = state.storage.sql;
      return {
        version: sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'schema_version'").one().value,
        members: sql.exec("SELECT id, name, mic, token, role, seat, hand, media_token, recording_kind, recording_since FROM members").toArray(),
        mode: sql.exec("SELECT mode, live_since FROM room_mode").toArray(),
        chat: sql.exec<{ seq: number; text: string }>("SELECT seq, text FROM chat ORDER BY seq").toArray(),
      };
    });
    expect(after.version).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(13);
    // A room from before stages is a meeting, where everyone speaks and no hand is up; nobody records.
    expect(after.members).toEqual([
      { id: OLD.id, name: OLD.name, mic: 1, token: OLD.token, role: "member", seat: "speaker", hand: null, media_token: null, recording_kind: null, recording_since: null },
    ]);
    expect(after.mode).toEqual([]);
    expect(after.chat).toEqual([{ seq: 1, text: "one" }, { seq: 2, text: "two" }, { seq: 3, text: "three" }]);
  });

  it("lets the old member resume its seat and a newcomer join; chat numbering goes on", async () => {
    const room = await makeV1Room();
    const old = await TestClient.join(room, "Old", { resume: { id: OLD.id, token: OLD.token }, since: 0 });
    expect(old.welcome).toMatchObject({ resumed: true, you: { id: OLD.id, name: "Old", joined: OLD.joined, seat: "speaker" }, lastSeq: 3 });
    expect(old.welcome.stage).toEqual({ mode: "meeting", hands: [], liveSince: null });
    expect(old.welcome.chat.map((m) => m.text)).toEqual(["one", "two", "three"]);
    // A member stored before voice messages gets its media token when it resumes.
    expect(old.welcome.mediaToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // A room from before recording consent allows recording, and nobody in it records.
    expect(old.welcome.access.recording).toBe(true);
    expect(old.welcome.you.recording).toBeNull();
    const fresh = await TestClient.join(room, "New");
    expect(fresh.welcome.peers.map((p) => p.id)).toEqual([OLD.id]);
    fresh.client.send({ type: "chat", text: "four", cid: "n1" });
    expect((await old.client.next("chat")).message).toMatchObject({ seq: 4, text: "four", from: fresh.id });
    const roles = await runInDurableObject(roomStub(room), (_instance, state) =>
      state.storage.sql.exec<{ id: string; role: string }>("SELECT id, role FROM members ORDER BY joined").toArray(),
    );
    expect(roles).toEqual([{ id: OLD.id, role: "member" }, { id: fresh.id, role: "member" }]);
  });

  it("gives a migrated room exactly the tables a new room gets", async () => {
    const migrated = await runInDurableObject(roomStub(await makeV1Room()), (_instance, state) => shape(state.storage.sql));
    const created = await runInDurableObject(roomStub(await createRoom()), (_instance, state) => shape(state.storage.sql));
    expect(migrated.map((t) => t.name)).toEqual(["chat", "cooldowns", "denials", "file_relay_ends", "file_relays", "knocks", "members", "meta", "passcode_failures", "removed", "room_access", "room_mode", "room_transport", "sfu_sessions", "turn_issued", "voice_uploads"]);
    expect(migrated).toEqual(created);
  });

  it("keeps a version-9 room's access settings and host key when it adds the recording switch: allowed, as before", async () => {
    const { id: room, hostKey } = await createHostedRoom({ lobby: true });
    // Back to version 9: the room's access row and members' table as that code left them.
    await runInDurableObject(roomStub(room), (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("ALTER TABLE members DROP COLUMN sfu_tracks");
      sql.exec("ALTER TABLE members DROP COLUMN sfu_session");
      sql.exec("DROP TABLE room_transport");
      sql.exec("ALTER TABLE room_access DROP COLUMN recording");
      sql.exec("ALTER TABLE members DROP COLUMN recording_since");
      sql.exec("ALTER TABLE members DROP COLUMN recording_kind");
      sql.exec("UPDATE meta SET value = 9 WHERE key = 'schema_version'");
    });
    await evictDurableObject(roomStub(room));
    const host = await TestClient.join(room, "Host", { hostKey });
    expect(host.welcome.you.role).toBe("host");
    expect(host.welcome.access).toEqual({ lobby: true, locked: false, passcode: false, recording: true });
    host.client.send({ type: "recording", kind: "self" });
    expect((await host.client.next("peer-recording")).recording).toMatchObject({ kind: "self" });
    const after = await runInDurableObject(roomStub(room), (_instance, state) => ({
      version: state.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'schema_version'").one().value,
      access: state.storage.sql.exec("SELECT lobby, recording FROM room_access").toArray(),
      shape: shape(state.storage.sql),
    }));
    expect(after.version).toBe(SCHEMA_VERSION);
    expect(after.access).toEqual([{ lobby: 1, recording: 1 }]);
    const created = await runInDurableObject(roomStub(await createRoom()), (_instance, state) => shape(state.storage.sql));
    expect(after.shape).toEqual(created);
  });
});
