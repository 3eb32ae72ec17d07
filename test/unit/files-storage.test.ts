// Where a received file goes: the browser storage's choice between OPFS and memory (and when it
// refuses), the memory file, and the OPFS side's request bookkeeping against a stand-in worker
// that keeps its files in a Map. The real worker is exercised in Chromium, not here.

import { describe, expect, it } from "vitest";
import { BlockAssembly } from "../../web/src/engine/files/assembly";
import { BrowserStorage } from "../../web/src/engine/files/browser-storage";
import type { OpfsRequest } from "../../web/src/engine/files/opfs-worker";
import { OpfsClient, OpfsStorage, OpfsUnavailableError, SPACE_MARGIN_BYTES, STALE_AFTER_MS, type SpawnWorker } from "../../web/src/engine/files/opfs-storage";
import { dropSpares, giveBuffer, SPARE_BUFFERS, spareCount } from "../../web/src/engine/files/spare-buffers";
import { type FileStorage, NoSpaceError, type StoredFile } from "../../web/src/engine/files/storage";
import { generatedBytes, MiB, sameBytes, settle } from "./files-fakes";

const KEY = "AAAAAAAAAAAAAAAAAAAAAA";

/** createObjectURL/revokeObjectURL that remember the blobs, so a test can read a URL back. */
class FakeUrls {
  readonly live = new Map<string, Blob>();
  revoked: string[] = [];
  private next = 0;
  createObjectURL = (blob: Blob) => {
    const url = `blob:test/${this.next++}`;
    this.live.set(url, blob);
    return url;
  };
  revokeObjectURL = (url: string) => {
    this.revoked.push(url);
    this.live.delete(url);
  };
  async bytes(url: string): Promise<Uint8Array> {
    const blob = this.live.get(url);
    if (!blob) throw new Error(`${url} is not live`);
    return new Uint8Array(await blob.arrayBuffer());
  }
}

/** A disk store that answers open() as told, counting calls. */
class ScriptedDisk implements FileStorage {
  opens = 0;
  readonly file = { write: async () => {}, close: async () => {}, abort: async () => {}, url: async () => "disk", discard: async () => {} } satisfies StoredFile;
  constructor(public answer: "ok" | "no-space" | "unavailable") {}
  async open(): Promise<StoredFile> {
    this.opens++;
    if (this.answer === "no-space") throw new NoSpaceError("quota");
    if (this.answer === "unavailable") throw new OpfsUnavailableError("SecurityError: private window");
    return this.file;
  }
}

/** Writes `blocks` (offset, bytes) in the given order. */
async function writeAll(file: StoredFile, bytes: Uint8Array<ArrayBuffer>, order: number[], block = MiB) {
  for (const i of order) await file.write(i * block, bytes.slice(i * block, Math.min((i + 1) * block, bytes.byteLength)));
}

describe("BrowserStorage: where a file goes", () => {
  it("uses OPFS when it works, and memory not at all", async () => {
    const disk = new ScriptedDisk("ok");
    const storage = new BrowserStorage({ opfs: disk, urls: new FakeUrls() });
    expect(await storage.open(KEY, 3 * MiB, "a.bin", "")).toBe(disk.file);
    expect(storage.memoryBytes).toBe(0);
  });

  it("keeps a file in memory without OPFS, whole and in order after out-of-order writes", async () => {
    const urls = new FakeUrls();
    const storage = new BrowserStorage({ opfs: null, urls });
    const bytes = generatedBytes(3 * MiB + 17);
    const file = await storage.open(KEY, bytes.byteLength, "a.bin", "text/plain");
    // Out of order, and block 1 written again as after a resume.
    await writeAll(file, bytes, [2, 0, 3, 1, 1]);
    await expect(file.url()).rejects.toThrow();
    await file.close();
    const url = await file.url();
    expect(await file.url()).toBe(url);
    expect(sameBytes(await urls.bytes(url), bytes)).toBe(true);
    expect(urls.live.get(url)!.type).toBe("text/plain");
  });

  it("turns OPFS off for the page after it is unavailable, and uses memory", async () => {
    const disk = new ScriptedDisk("unavailable");
    const storage = new BrowserStorage({ opfs: disk, urls: new FakeUrls() });
    expect(await storage.open(KEY, MiB, "a.bin", "")).not.toBe(disk.file);
    expect(storage.onDisk).toBe(false);
    disk.answer = "ok";
    expect(await storage.open(KEY, MiB, "b.bin", "")).not.toBe(disk.file);
    expect(disk.opens).toBe(1);
    expect(storage.memoryBytes).toBe(2 * MiB);
  });

  it("refuses a file too big for memory when there is no disk", async () => {
    const storage = new BrowserStorage({ opfs: null, memoryMaxBytes: 10 * MiB, urls: new FakeUrls() });
    await expect(storage.open(KEY, 10 * MiB + 1, "a.bin", "")).rejects.toBeInstanceOf(NoSpaceError);
    expect(storage.memoryBytes).toBe(0);
  });

  it("falls back to memory when OPFS has no space but the file fits, and still tries OPFS next time", async () => {
    const disk = new ScriptedDisk("no-space");
    const storage = new BrowserStorage({ opfs: disk, memoryMaxBytes: 10 * MiB, urls: new FakeUrls() });
    const file = await storage.open(KEY, 4 * MiB, "a.bin", "");
    expect(file).not.toBe(disk.file);
    expect(storage.memoryBytes).toBe(4 * MiB);
    expect(storage.onDisk).toBe(true);
    disk.answer = "ok";
    expect(await storage.open(KEY, 4 * MiB, "b.bin", "")).toBe(disk.file);
  });

  it("passes OPFS's NoSpaceError on when the file does not fit in memory either", async () => {
    const storage = new BrowserStorage({ opfs: new ScriptedDisk("no-space"), memoryMaxBytes: 10 * MiB, urls: new FakeUrls() });
    await expect(storage.open(KEY, 11 * MiB, "a.bin", "")).rejects.toThrow(/quota/);
  });

  it("counts the memory cap over all files held at once, and frees a file's share on discard or abort", async () => {
    const storage = new BrowserStorage({ opfs: null, memoryMaxBytes: 10 * MiB, urls: new FakeUrls() });
    const first = await storage.open(KEY, 6 * MiB, "a.bin", "");
    await expect(storage.open(KEY, 6 * MiB, "b.bin", "")).rejects.toBeInstanceOf(NoSpaceError);
    await first.discard();
    const second = await storage.open(KEY, 6 * MiB, "b.bin", "");
    expect(storage.memoryBytes).toBe(6 * MiB);
    await second.abort();
    await second.discard();
    expect(storage.memoryBytes).toBe(0);
  });

  it("discards a memory file once, however often it is asked, and gives no URL after", async () => {
    const urls = new FakeUrls();
    const storage = new BrowserStorage({ opfs: null, urls });
    const bytes = generatedBytes(1000);
    const file = await storage.open(KEY, bytes.byteLength, "a.bin", "");
    await file.write(0, bytes);
    await file.close();
    const url = await file.url();
    await file.discard();
    await file.discard();
    expect(urls.revoked).toEqual([url]);
    expect(urls.live.size).toBe(0);
    expect(storage.memoryBytes).toBe(0);
    await expect(file.url()).rejects.toThrow();
  });
});

/**
 * Answers requests like opfs-worker.ts, on the next tick, with files in a Map; `spaceLeft`
 * makes writes past it fail as Chromium's do (QuotaExceededError).
 */
class StandInWorker {
  readonly files = new Map<string, Uint8Array>();
  readonly handles = new Map<number, string>();
  readonly posted: Array<{ request: OpfsRequest; transfer: Transferable[] }> = [];
  spawned = 0;
  terminated = false;
  spaceLeft = Infinity;
  /** Set to make the worker never load. */
  failToLoad = false;
  private nextHandle = 1;
  private onReply: (data: unknown) => void = () => {};

  readonly spawn: SpawnWorker = (onReply, onFailure) => {
    this.spawned++;
    this.onReply = onReply;
    if (this.failToLoad) setImmediate(() => onFailure("404 for the worker chunk"));
    return {
      post: (request, transfer) => {
        this.posted.push({ request, transfer });
        if (!this.failToLoad) setImmediate(() => this.answer(request));
      },
      terminate: () => (this.terminated = true),
    };
  };

  ops(): string[] {
    return this.posted.map((p) => p.request.op);
  }

  private answer(r: OpfsRequest) {
    try {
      this.onReply({ id: r.id, ok: true, value: this.run(r) });
    } catch (e) {
      const { name, message } = e as DOMException;
      this.onReply({ id: r.id, ok: false, error: { name, message } });
    }
  }

  private run(r: OpfsRequest): unknown {
    switch (r.op) {
      case "purge": {
        const stale = [...this.files.keys()].filter((name) => Number(name.split("-")[0]) < r.before);
        for (const name of stale) this.files.delete(name);
        return stale.length;
      }
      case "open":
        if (r.size > this.spaceLeft) throw new DOMException("truncate", "QuotaExceededError");
        this.files.set(r.name, new Uint8Array(r.size));
        this.handles.set(this.nextHandle, r.name);
        return this.nextHandle++;
      case "write": {
        const name = this.handles.get(r.handle);
        if (!name) throw new DOMException("no open file", "InvalidStateError");
        if (r.offset + r.bytes.byteLength > this.spaceLeft) throw new DOMException("disk full", "QuotaExceededError");
        this.files.get(name)!.set(new Uint8Array(r.bytes), r.offset);
        return r.bytes;
      }
      case "close":
        if (!this.handles.delete(r.handle)) throw new DOMException("no open file", "InvalidStateError");
        return null;
      case "abort":
        this.handles.delete(r.handle);
        this.files.delete(r.name);
        return null;
      case "file":
        return new File([this.files.get(r.name)! as Uint8Array<ArrayBuffer>], r.name);
    }
  }
}

function opfs(options: { quota?: number; usage?: number; now?: number } = {}) {
  const worker = new StandInWorker();
  const urls = new FakeUrls();
  const estimates: number[] = [];
  const storage = new OpfsStorage({
    client: new OpfsClient(worker.spawn),
    estimate: async () => {
      estimates.push(1);
      return { quota: options.quota ?? 10 * 1024 * MiB, usage: options.usage ?? 0 };
    },
    now: () => options.now ?? 1_700_000_000_000,
    urls,
  });
  return { worker, urls, storage, estimates };
}

describe("OpfsStorage against a stand-in worker", () => {
  it("purges day-old files once, then writes out of order to `${now}-${key}` and offers the whole file", async () => {
    const now = 1_700_000_000_000;
    const { worker, urls, storage } = opfs({ now });
    const old = `${now - STALE_AFTER_MS - 1}-old`;
    const recent = `${now - STALE_AFTER_MS + 60_000}-recent`;
    worker.files.set(old, new Uint8Array(1));
    worker.files.set(recent, new Uint8Array(1));

    const bytes = generatedBytes(3 * MiB + 5);
    const file = await storage.open(KEY, bytes.byteLength, "a.bin", "image/png");
    expect(worker.posted[0]!.request).toMatchObject({ op: "purge", before: now - STALE_AFTER_MS });
    expect(worker.posted[1]!.request).toMatchObject({ op: "open", name: `${now}-${KEY}`, size: bytes.byteLength });
    expect([...worker.files.keys()].sort()).toEqual([`${now}-${KEY}`, recent].sort());

    await writeAll(file, bytes, [3, 1, 0, 2, 0]);
    await file.close();
    const url = await file.url();
    expect(sameBytes(await urls.bytes(url), bytes)).toBe(true);
    expect(urls.live.get(url)!.type).toBe("image/png");

    await storage.open("BBBB", 10, "b.bin", "");
    expect(worker.ops().filter((op) => op === "purge")).toHaveLength(1);
    expect(worker.spawned).toBe(1);
  });

  it("moves a whole block's buffer to the worker without a copy, and copies a view into a larger buffer", async () => {
    const { worker, storage } = opfs();
    const file = await storage.open(KEY, 200, "a.bin", "");
    const bytes = generatedBytes(100);
    const buffer = bytes.buffer;
    await file.write(0, bytes);
    const writes = () => worker.posted.filter((p) => p.request.op === "write");
    expect(writes()[0]!.transfer).toEqual([buffer]);
    const first = writes()[0]!.request;
    expect(first.op === "write" && first.bytes).toBe(buffer);
    const larger = generatedBytes(300, 2);
    const view = larger.subarray(100, 200);
    await file.write(100, view);
    expect(writes()[1]!.transfer[0]).not.toBe(larger.buffer);
    expect(larger.byteLength).toBe(300);
    expect(new Uint8Array(writes()[1]!.transfer[0] as ArrayBuffer)).toEqual(view);
  });

  it("lends a written block's buffer, handed back by the worker, to the next block of that size", async () => {
    dropSpares();
    const { storage } = opfs();
    const file = await storage.open(KEY, 4 * MiB, "a.bin", "");
    const first = new BlockAssembly(0, MiB);
    first.add(generatedBytes(MiB, 1).buffer);
    const written = first.take();
    const buffer = written.buffer;
    await file.write(0, written);
    expect(spareCount()).toBe(1);
    const next = new BlockAssembly(1, MiB);
    expect(spareCount()).toBe(0);
    // The spare still holds block 0; block 1 is whole only once every byte of it has come.
    expect(() => next.take()).toThrow();
    next.add(generatedBytes(MiB / 2, 2).buffer);
    expect(next.complete).toBe(false);
    next.add(generatedBytes(MiB / 2, 3).buffer);
    const reused = next.take();
    expect(reused.buffer === buffer).toBe(true);
    expect(sameBytes(reused.subarray(0, MiB / 2), generatedBytes(MiB / 2, 2))).toBe(true);
    // A block of another size gets a buffer of its own.
    await file.write(MiB, reused);
    expect(new BlockAssembly(2, 1000).bytes).toBe(1000);
    // And no more than SPARE_BUFFERS are kept.
    for (let i = 0; i < SPARE_BUFFERS + 2; i++) giveBuffer(new ArrayBuffer(MiB));
    expect(spareCount()).toBe(SPARE_BUFFERS);
  });

  it("refuses with NoSpaceError when quota − usage is under size + margin, before opening anything", async () => {
    const size = 100 * MiB;
    const { worker, storage } = opfs({ quota: 1024 * MiB, usage: 1024 * MiB - size - SPACE_MARGIN_BYTES + 1 });
    await expect(storage.open(KEY, size, "a.bin", "")).rejects.toBeInstanceOf(NoSpaceError);
    expect(worker.ops()).not.toContain("open");
    // Exactly enough is enough.
    const fits = opfs({ quota: 1024 * MiB, usage: 1024 * MiB - size - SPACE_MARGIN_BYTES });
    await fits.storage.open(KEY, size, "a.bin", "");
    expect(fits.worker.ops()).toContain("open");
  });

  it("maps the worker's QuotaExceededError to NoSpaceError, at open and on a write", async () => {
    const { worker, storage } = opfs();
    worker.spaceLeft = 2 * MiB;
    await expect(storage.open(KEY, 3 * MiB, "a.bin", "")).rejects.toBeInstanceOf(NoSpaceError);
    worker.spaceLeft = Infinity;
    const file = await storage.open(KEY, 3 * MiB, "a.bin", "");
    worker.spaceLeft = 2 * MiB;
    await file.write(0, generatedBytes(MiB));
    await expect(file.write(2 * MiB, generatedBytes(MiB))).rejects.toBeInstanceOf(NoSpaceError);
  });

  it("rejects what is waiting and everything after when the worker fails to load; BrowserStorage then uses memory", async () => {
    const { worker, storage } = opfs();
    worker.failToLoad = true;
    await expect(storage.open(KEY, 10, "a.bin", "")).rejects.toBeInstanceOf(OpfsUnavailableError);
    await expect(storage.open(KEY, 10, "a.bin", "")).rejects.toBeInstanceOf(OpfsUnavailableError);
    expect(worker.spawned).toBe(1);
    expect(worker.terminated).toBe(true);

    const browser = new BrowserStorage({ opfs: storage, urls: new FakeUrls() });
    const file = await browser.open(KEY, 10, "a.bin", "");
    expect(browser.onDisk).toBe(false);
    expect(browser.memoryBytes).toBe(10);
    await file.discard();
  });

  it("deletes the file on abort, and on discard after close, once", async () => {
    const { worker, urls, storage } = opfs();
    const aborted = await storage.open(KEY, 10, "a.bin", "");
    await aborted.abort();
    await aborted.discard();
    expect(worker.files.size).toBe(0);
    await expect(aborted.write(0, generatedBytes(10))).rejects.toThrow();

    const kept = await storage.open("CCCC", 10, "c.bin", "");
    await kept.write(0, generatedBytes(10));
    await kept.close();
    const url = await kept.url();
    await Promise.all([kept.discard(), kept.discard()]);
    await kept.discard();
    await settle();
    expect(worker.files.size).toBe(0);
    expect(worker.ops().filter((op) => op === "abort")).toHaveLength(2);
    expect(urls.revoked).toEqual([url]);
    await expect(kept.url()).rejects.toThrow();
  });

  it("refuses a key that is not base64url, since it becomes a file name", async () => {
    const { worker, storage } = opfs();
    await expect(storage.open("../x", 10, "a.bin", "")).rejects.toBeInstanceOf(TypeError);
    expect(worker.spawned).toBe(0);
  });
});

describe("OpfsClient", () => {
  it("matches replies to requests by id, in whatever order they come, and ignores strays", async () => {
    const posted: OpfsRequest[] = [];
    let reply: (data: unknown) => void = () => {};
    const client = new OpfsClient((onReply) => {
      reply = onReply;
      return { post: (r) => posted.push(r), terminate: () => {} };
    });
    const first = client.request("open", { name: "1-a", size: 1 });
    const second = client.request("open", { name: "2-b", size: 1 });
    expect(client.inFlight).toBe(2);
    const [a, b] = posted;
    expect(a!.id).not.toBe(b!.id);
    reply({ id: 999, ok: true, value: 7 });
    reply("garbage");
    reply({ id: b!.id, ok: false, error: { name: "NoModificationAllowedError", message: "locked" } });
    reply({ id: a!.id, ok: true, value: 41 });
    expect(await first).toBe(41);
    await expect(second).rejects.toMatchObject({ name: "NoModificationAllowedError", message: "locked" });
    expect(client.inFlight).toBe(0);
  });

  it("treats a worker constructor that throws as unavailable", async () => {
    const client = new OpfsClient(() => {
      throw new DOMException("blocked by CSP", "SecurityError");
    });
    await expect(client.request("purge", { before: 0 })).rejects.toBeInstanceOf(OpfsUnavailableError);
  });

  it("maps a NotSupportedError reply (no sync access handles) to OpfsUnavailableError", async () => {
    let reply: (data: unknown) => void = () => {};
    const client = new OpfsClient((onReply) => {
      reply = onReply;
      return { post: (r) => setImmediate(() => reply({ id: r.id, ok: false, error: { name: "NotSupportedError", message: "no createSyncAccessHandle" } })), terminate: () => {} };
    });
    await expect(client.request("open", { name: "1-a", size: 1 })).rejects.toBeInstanceOf(OpfsUnavailableError);
  });
});
