// A room's relayed files in R2 (binding FILES), under `fr/<room>/<key>`: one prefix per room, so
// that deleting a room deletes its files with one listing, whatever its SQLite still knows. Each
// object lives from its upload to its recipient's download (features/file-relay.ts), an hour at
// most; the bucket's lifecycle rule is the backstop (README).

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

export const filePrefix = (room: string): string => `fr/${room}/`;

export class FileBucket {
  private readonly prefix: string;

  constructor(private readonly bucket: R2Bucket, room: string) {
    this.prefix = filePrefix(room);
  }

  /** Stores a body of known length (a FixedLengthStream's readable, or bytes): R2 needs the length up front. */
  async put(key: string, body: ReadableStream | Uint8Array): Promise<void> {
    await this.bucket.put(this.prefix + key, body, { httpMetadata: { contentType: "application/octet-stream" } });
  }

  /** The file, or `length` bytes of it from `offset`; null if it is not there. */
  get(key: string, range?: { offset: number; length: number }): Promise<R2ObjectBody | null> {
    return this.bucket.get(this.prefix + key, range ? { range } : {});
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.bucket.delete(keys.map((k) => this.prefix + k));
  }

  /** Every file of the room, a listing page (at most 1000) at a time. */
  async deleteAll(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: this.prefix, limit: DELETE_BATCH, ...(cursor ? { cursor } : {}) });
      if (page.objects.length > 0) await this.bucket.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
