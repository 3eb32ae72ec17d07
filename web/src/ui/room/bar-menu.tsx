// A button of the control bar that opens a small menu above it: on a wide screen the layout menu;
// on a phone "More options", which also holds the bar's secondary buttons so that the bar keeps
// one row (controls.tsx decides which). A disclosure, not an ARIA menu: a few buttons and a radio
// group, reached with Tab as anywhere else. Esc closes it and gives the focus back to its button;
// so does a press anywhere outside it, or choosing one of its actions.

import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

/** One of the bar's secondary buttons, as a menu item. */
export interface BarAction {
  /** The data-testid, the same as the round button's on a wide screen. */
  testid: string;
  icon: ComponentChildren;
  label: string;
  onSelect: () => void;
  /** Shown as pressed (a panel that is open, a hand that is up). */
  active?: boolean;
}

interface BarMenuProps {
  icon: ComponentChildren;
  label: string;
  testid: string;
  actions: readonly BarAction[];
  children?: ComponentChildren;
}

export function BarMenu({ icon, label, testid, actions, children }: BarMenuProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      toggle.current?.focus();
    };
    const onPress = (e: PointerEvent) => {
      if (!(e.target instanceof Node && wrap.current?.contains(e.target))) setOpen(false);
    };
    addEventListener("keydown", onKey);
    addEventListener("pointerdown", onPress);
    return () => {
      removeEventListener("keydown", onKey);
      removeEventListener("pointerdown", onPress);
    };
  }, [open]);

  return (
    <div class="bar-menu-wrap" ref={wrap}>
      <button ref={toggle} class={`round${open ? " active" : ""}`} aria-expanded={open} aria-controls={id} aria-label={label} title={label} onClick={() => setOpen(!open)} data-testid={testid}>
        {icon}
      </button>
      {open && (
        <div class="bar-menu" id={id} role="group" aria-label={label} data-testid={`${testid}-panel`}>
          {actions.map((a) => (
            <button
              key={a.testid}
              class={`bar-menu-item${a.active ? " active" : ""}`}
              aria-pressed={a.active}
              onClick={() => {
                // Back to the menu's button before this item goes: a dialog opened by the action
                // returns focus there when it closes, not to the top of the page.
                toggle.current?.focus();
                setOpen(false);
                a.onSelect();
              }}
              data-testid={a.testid}
            >
              {a.icon}
              <span>{a.label}</span>
            </button>
          ))}
          {children}
        </div>
      )}
    </div>
  );
}
