// Every client message type and the feature that handles it. The type makes a missing entry a
// compile error: adding a message type to the protocol means adding its handler here.

import type { Handlers } from "./handler";
import { chat, history } from "./features/chat";
import { ice } from "./features/ice";
import { join } from "./features/join";
import { leave } from "./features/leave";
import { media } from "./features/media";
import { signal } from "./features/signal";

export const HANDLERS: Handlers = { join, signal, media, chat, history, ice, leave };
