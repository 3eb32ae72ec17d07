// A room's voice recordings in R2, under `vm/<room>/<key>` (FEATURES §5): one prefix per room, so
// that deleting a room deletes its recordings with one listing, whatever its SQLite still knows.
// The bytes live here and nowhere else: a Durable Object's SQLite is no place for megabytes.

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

export const voicePrefix = (room: string): string => `vm/${room}/`;

export class VoiceBucket {
  private readonly prefix: string;

  constructor(private readonly bucket: R2Bucket, room: string) {
    this.prefix = voicePrefix(room);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.bucket.put(this.prefix + key, bytes, { httpMetadata: { contentType } });
  }

  /** The recording, or `length` bytes of it from `offset`; null if it is not there. */
  get(key: string, range?: { offset: number; length: number }): Promise<R2ObjectBody | null> {
    return this.bucket.get(this.prefix + key, range ? { range } : {});
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.bucket.delete(keys.slice(i, i + DELETE_BATCH).map((k) => this.prefix + k));
  }

  /** Every recording of the room, a listing page (at most 1000) at a time. */
  async deleteAll(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix: this.prefix, limit: DELETE_BATCH, ...(cursor ? { cursor } : {}) });
      if (page.objects.length > 0) await this.bucket.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
