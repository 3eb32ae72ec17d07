// The safety codes for the tiles, handed down once from the room (room.tsx) instead of through
// every layout's props, as presence is (presence/context.ts).

import { type ComponentChildren, createContext, h, type JSX } from "preact";
import { useContext } from "preact/hooks";
import { NO_SAFETY, type SafetyView } from "../../engine/features/safety";

const SafetyContext = createContext<SafetyView>(NO_SAFETY);

/** `tree` with `safety` provided to every tile in it. */
export const withSafety = (safety: SafetyView, tree: ComponentChildren): JSX.Element => h(SafetyContext.Provider, { value: safety }, tree);

export const useSafety = (): SafetyView => useContext(SafetyContext);
