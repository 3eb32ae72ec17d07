// The layout's own icons, drawn like icons.tsx (24×24, stroke = currentColor, plain shapes): a pin,
// full screen in and out, the layout menu, moving and hiding the self-view.

import type { JSX } from "preact";

export type LayoutIconName = "pin" | "unpin" | "fullscreen" | "fullscreen-exit" | "layout" | "corner" | "hide" | "show";

const SHAPES: Record<LayoutIconName, JSX.Element> = {
  // A push pin, tilted, its point at the lower left.
  pin: <path d="M14.5 3.5 20.5 9.5M16 5l-4.5 4.5-4 .5-1 1 7.5 7.5 1-1 .5-4L20 9M9.5 14.5 4 20" />,
  unpin: <path d="M14.5 3.5 20.5 9.5M16 5l-4.5 4.5-4 .5-1 1 7.5 7.5 1-1 .5-4L20 9M9.5 14.5 4 20M3.5 3.5l17 17" />,
  fullscreen: <path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" />,
  "fullscreen-exit": <path d="M9 4v5H4M20 9h-5V4M15 20v-5h5M4 15h5v5" />,
  // One large pane over a row of small ones: the speaker layout, the menu's symbol.
  layout: (
    <>
      <rect x="3.5" y="4" width="17" height="10" rx="1.5" />
      <rect x="3.5" y="16.5" width="4.5" height="3.5" rx="1" />
      <rect x="9.75" y="16.5" width="4.5" height="3.5" rx="1" />
      <rect x="16" y="16.5" width="4.5" height="3.5" rx="1" />
    </>
  ),
  // A small picture in the frame's corner, and an arrow to the next one.
  corner: (
    <>
      <rect x="3" y="4.5" width="18" height="15" rx="2" />
      <rect x="13" y="11.5" width="5" height="5" rx="1" />
      <path d="M10.5 14H5.5M7.5 12l-2 2 2 2" />
    </>
  ),
  // An eye, crossed out: the self-view goes away (the others still see us).
  hide: (
    <>
      <path d="M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z" />
      <circle cx="12" cy="12" r="2.8" />
      <path d="M4 4l16 16" />
    </>
  ),
  show: (
    <>
      <path d="M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z" />
      <circle cx="12" cy="12" r="2.8" />
    </>
  ),
};

export function LayoutIcon({ name }: { name: LayoutIconName }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      {SHAPES[name]}
    </svg>
  );
}
