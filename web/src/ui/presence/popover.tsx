// A button and the small panel it opens (a connection's details, the reactions palette), on the
// platform's popover: the panel is drawn in the top layer, so a tile's `overflow: hidden` does
// not cut it; Escape and a click elsewhere close it; the button is its invoker (popovertarget),
// which also tells assistive technology that it expands the panel. The panel is placed beside
// its button, on the side with more room, by plain fixed coordinates (CSS anchor positioning is
// not in every browser yet).
//
// A browser without popovers (Safari before 17) gets the same panel, opened and closed by the
// button and drawn in place.

import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

const SUPPORTED = typeof HTMLElement !== "undefined" && "popover" in HTMLElement.prototype;
/** Space kept between the panel and its button, and between the panel and the window's edge, px. */
const GAP = 6;
const MARGIN = 8;

interface PopoverProps {
  /** The button: its class, accessible name (else its content's text), tooltip, test id and what it shows. */
  button: { class: string; label?: string; title?: string; testid?: string; content: ComponentChildren; keyShortcuts?: string };
  /** The panel: its class, name (for role="dialog") and test id. */
  panel: { class: string; label: string; testid?: string };
  /** Rendered only while open: the panel costs nothing closed, however often its data changes. */
  children: () => ComponentChildren;
}

export function Popover({ button, panel, children }: PopoverProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = panelRef.current;
    if (!SUPPORTED || !el) return;
    // Placed before it shows, so that it never appears at the window's centre first.
    const onBefore = (e: Event) => {
      if ((e as ToggleEvent).newState === "open" && buttonRef.current) place(el, buttonRef.current);
    };
    const onToggle = (e: Event) => setOpen((e as ToggleEvent).newState === "open");
    el.addEventListener("beforetoggle", onBefore);
    el.addEventListener("toggle", onToggle);
    return () => {
      el.removeEventListener("beforetoggle", onBefore);
      el.removeEventListener("toggle", onToggle);
    };
  }, []);

  // One box for the two: a row of buttons (the bar, a tile's corner) sees the button only.
  return (
    <span class="pop-wrap">
      <button
        ref={buttonRef}
        type="button"
        class={button.class}
        aria-label={button.label}
        title={button.title ?? button.label}
        aria-expanded={open}
        aria-keyshortcuts={button.keyShortcuts}
        data-testid={button.testid}
        {...(SUPPORTED ? { popovertarget: id } : { onClick: () => setOpen(!open) })}
      >
        {button.content}
      </button>
      <div
        ref={panelRef}
        id={id}
        class={`pop ${panel.class}${SUPPORTED ? "" : " pop-inline"}`}
        role="dialog"
        aria-label={panel.label}
        data-testid={panel.testid}
        {...(SUPPORTED ? { popover: "auto" as const } : { hidden: !open })}
      >
        {open && children()}
      </div>
    </span>
  );
}

/** Fixed coordinates beside `anchor`: above it if there is more room above, aligned to the edge nearer the window's middle. */
function place(panel: HTMLElement, anchor: HTMLElement): void {
  const r = anchor.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const height = innerHeight;
  const s = panel.style;
  s.inset = "auto";
  s.margin = "0";
  s.maxWidth = `${width - 2 * MARGIN}px`;
  if (r.top > height - r.bottom) {
    s.bottom = `${height - r.top + GAP}px`;
    s.maxHeight = `${Math.max(0, r.top - GAP - MARGIN)}px`;
  } else {
    s.top = `${r.bottom + GAP}px`;
    s.maxHeight = `${Math.max(0, height - r.bottom - GAP - MARGIN)}px`;
  }
  if (r.left + r.width / 2 > width / 2) s.right = `${Math.max(MARGIN, width - r.right)}px`;
  else s.left = `${Math.max(MARGIN, r.left)}px`;
}
