// One room's objects in an R2 bucket, under a prefix of their own (`<kind>/<room>/`), so that
// deleting a room deletes them with one listing, whatever its SQLite still knows. Voice messages
// (voice-bucket.ts) and relayed files (file-bucket.ts) each name their prefix.

/** R2 deletes at most this many keys per call, and lists at most this many per page. */
const DELETE_BATCH = 1000;

export class RoomBucket {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly prefix: string,
  ) {}

  /** A body of known length (bytes, or a FixedLengthStream's readable): R2 needs it up front. */
  async put(key: string, body: ReadableStream | Uint8Array, contentType: string): Promise<void> {
    await this.bucket.put(this.prefix + key, body, { httpMetadata: { contentType } });
  }

  /** The object, or `length` bytes of it from `offset`; null if it is not there. */
  get(key: string, range?: { offset: number; length: number }): Promise<R2ObjectBody | null> {
    return this.bucket.get(this.prefix + key, range ? { range } : {});
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.bucket.delete(keys.slice(i, i + DELETE_BATCH).map((k) => this.prefix + k));
  }

  /** Every object of the room, a listing page at a time. */
  async deleteAll(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: this.prefix, limit: DELETE_BATCH, ...(cursor ? { cursor } : {}) });
      if (page.objects.length > 0) await this.bucket.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
