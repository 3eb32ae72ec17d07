// Line icons drawn from plain shapes (24×24, stroke = currentColor), so that no emoji font is
// needed and they read the same on every platform. `off` adds the diagonal slash.

import type { JSX } from "preact";

export type IconName = "mic" | "cam" | "screen" | "link" | "people" | "chat" | "leave" | "check" | "settings" | "more" | "hand" | "discard" | "paperclip" | "file" | "close" | "chevron";

const SHAPES: Record<IconName, JSX.Element> = {
  mic: (
    <>
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M8.5 21h7" />
    </>
  ),
  cam: (
    <>
      <rect x="3" y="6.5" width="12.5" height="11" rx="2" />
      <path d="M15.5 10.5 21 7.5v9l-5.5-3z" />
    </>
  ),
  screen: (
    <>
      <rect x="3" y="4.5" width="18" height="12" rx="1.5" />
      <path d="M9 20.5h6M12 16.5v4M12 13V8M9.5 10.5 12 8l2.5 2.5" />
    </>
  ),
  link: <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />,
  people: (
    <>
      <circle cx="9" cy="8.5" r="3.2" />
      <path d="M3.5 19.5a5.5 5.5 0 0 1 11 0M15.5 5.5a3.2 3.2 0 0 1 0 6.2M17.5 14.5a5.5 5.5 0 0 1 3 5" />
    </>
  ),
  chat: <path d="M4 5.5h16v10H9.5L5 19.5v-4H4z" />,
  leave: <path d="M3 13.5c5-4.7 13-4.7 18 0l-2.3 2.6-3.4-1.6v-2.3c-2.1-.7-4.5-.7-6.6 0v2.3l-3.4 1.6z" />,
  check: <path d="M5 12.5 10 17.5 19 7" />,
  settings: (
    <>
      <path d="M4 7h9.5M18.5 7H20M4 17h3.5M12.5 17H20" />
      <circle cx="16" cy="7" r="2.3" />
      <circle cx="10" cy="17" r="2.3" />
    </>
  ),
  more: <path d="M6 12h.01M12 12h.01M18 12h.01" stroke-width="3" />,
  // A waste bin: what Cancel does to a recording.
  discard: <path d="M4.5 7h15M9.5 7V4.5h5V7M6.5 7l1 12.5h9l1-12.5M10.5 10.5v6M13.5 10.5v6" />,
  // Files (ui/files/): the chat box's attach button, a file card's sheet with its corner folded,
  // a card's dismiss, and the tray's fold (pointing down: rotated by CSS when folded).
  paperclip: <path d="M20 11.5 12.2 19.3a5 5 0 0 1-7.1-7.1l8.3-8.3a3.3 3.3 0 0 1 4.7 4.7l-8.3 8.3a1.7 1.7 0 0 1-2.4-2.4l7.6-7.6" />,
  file: <path d="M6.5 3.5h7.5l4.5 4.5v12.5h-12zM14 3.5V8h4.5" />,
  close: <path d="M6.5 6.5l11 11M17.5 6.5l-11 11" />,
  chevron: <path d="M6.5 9.5 12 15l5.5-5.5" />,
  // An open palm, raised: four fingers, and the thumb reaching out at the lower left.
  hand: <path d="M7 12V6a1.5 1.5 0 0 1 3 0v5M10 10.5V4.5a1.5 1.5 0 0 1 3 0v6M13 10.5V5.5a1.5 1.5 0 0 1 3 0V11M16 11V8a1.5 1.5 0 0 1 3 0v6c0 4-3 7-7 7h-.5c-2.5 0-4-1-5.3-3l-2.7-4.5a1.5 1.5 0 0 1 2.4-1.8L7 13.5V12" />,
};

export function Icon({ name, off = false }: { name: IconName; off?: boolean }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      {SHAPES[name]}
      {off && <path d="M3.5 3.5 20.5 20.5" stroke-width="2.2" />}
    </svg>
  );
}
