// Every client message type and the feature that handles it. The type makes a missing entry a
// compile error: adding a message type to the protocol means adding its handler here.

import type { Handlers } from "./handler";
import { access } from "./features/access";
import { chat, history } from "./features/chat";
import { askMute, endMeeting, remove } from "./features/host-actions";
import { setRole } from "./features/hosts";
import { ice } from "./features/ice";
import { join } from "./features/join";
import { leave } from "./features/leave";
import { admitKnocks, deny } from "./features/lobby";
import { media } from "./features/media";
import { react } from "./features/reactions";
import { recording } from "./features/recording";
import { signal } from "./features/signal";
import { hand, leaveStage, lowerHands, setMode, setSeat } from "./features/stage";
import { sfuTracks } from "./features/transport";
import { voiceUpload } from "./features/voice";
import { fileAnswer, fileEnd, fileOffer } from "./features/file-relay";

export const HANDLERS: Handlers = {
  join,
  signal,
  media,
  chat,
  history,
  ice,
  leave,
  access,
  admit: admitKnocks,
  deny,
  "set-role": setRole,
  remove,
  "ask-mute": askMute,
  "end-meeting": endMeeting,
  "set-mode": setMode,
  "set-seat": setSeat,
  "leave-stage": leaveStage,
  hand,
  "lower-hands": lowerHands,
  "voice-upload": voiceUpload,
  react,
  recording,
  "sfu-tracks": sfuTracks,
  "file-offer": fileOffer,
  "file-answer": fileAnswer,
  "file-end": fileEnd,
};
