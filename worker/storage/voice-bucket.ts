// A room's voice recordings in R2 (binding VOICE), under `vm/<room>/<key>` (FEATURES §5). The bytes
// live here and nowhere else: a Durable Object's SQLite is no place for megabytes.

import { RoomBucket } from "./room-bucket";

export const voicePrefix = (room: string): string => `vm/${room}/`;

export class VoiceBucket extends RoomBucket {
  constructor(bucket: R2Bucket, room: string) {
    super(bucket, voicePrefix(room));
  }
}
