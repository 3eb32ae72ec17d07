// Media state: whether a member's mic, camera and screen share are on. The room stores it in
// the roster and tells the others; the media itself never passes through the room.

import { bad, type ClientValidators, isBool, isObj, isPeerId, ok, type ServerValidators } from "../wire";

export interface MediaState {
  mic: boolean;
  cam: boolean;
  screen: boolean;
}

export type MediaClientMessage = { type: "media"; media: MediaState };

export type MediaServerMessage = { type: "peer-media"; id: string; media: MediaState };

export function mediaState(v: unknown): MediaState | null {
  if (!isObj(v) || !isBool(v.mic) || !isBool(v.cam) || !isBool(v.screen)) return null;
  return { mic: v.mic, cam: v.cam, screen: v.screen };
}

export const MEDIA_ERRORS = [] as const;

export const mediaClient: ClientValidators<MediaClientMessage, never> = {
  media: (v) => {
    const media = mediaState(v.media);
    return media ? ok({ type: "media", media }) : bad("media", "`media` must be {mic, cam, screen} booleans");
  },
};

export const mediaServer: ServerValidators<MediaServerMessage> = {
  "peer-media": (v) => {
    const media = mediaState(v.media);
    return media && isPeerId(v.id) ? { type: "peer-media", id: v.id, media } : null;
  },
};
