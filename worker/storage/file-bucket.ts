// A room's relayed files in R2 (binding FILES), under `fr/<room>/<key>`. Each object lives from its
// upload to its recipient's download (features/file-relay.ts), an hour at most; the bucket's
// lifecycle rule is the backstop (README).

import { RoomBucket } from "./room-bucket";

export const filePrefix = (room: string): string => `fr/${room}/`;

export class FileBucket extends RoomBucket {
  constructor(bucket: R2Bucket, room: string) {
    super(bucket, filePrefix(room));
  }
}
