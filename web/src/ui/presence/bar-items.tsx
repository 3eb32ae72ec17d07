// Presence's part of the controls bar (room/controls.tsx places it): the raised hand, the
// reactions and this device's connection. On a wide screen each is a button of the bar. On a
// phone the bar keeps one row of at most PHONE_SLOTS buttons: the hand and the reactions stay in
// it while there is room (a stage's viewer, with no mic or camera, always has it), and go into
// "More options" otherwise, the palette laid out in the menu itself; the connection is always
// there, as a line with its details. Ctrl+Alt+H toggles the hand wherever the button is.

import type { JSX } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import type { ReactionCode } from "../../../../protocol/features/reactions";
import type { OwnQuality } from "../../engine/features/presence-view";
import { useI18n } from "../hooks";
import { Icon } from "../icons";
import type { BarAction } from "../room/bar-menu";
import { HandButton, isHandShortcut } from "./hand-button";
import { OwnQualityButton } from "./own-quality";
import { OwnDetails } from "./quality-details";
import { QualityBars } from "./quality-bars";
import { gradeText, hintText } from "./quality-text";
import { ReactionButton, ReactionGrid } from "./reaction-button";

export interface PresenceBar {
  handUp: boolean;
  onHand: (up: boolean) => void;
  onReact: (code: ReactionCode) => void;
  /** Null until a connection has been measured. */
  own: OwnQuality | null;
}

export interface BarItems {
  /** At the bar's start: this device's connection (wide screens). */
  lead: JSX.Element | null;
  /** Among the bar's buttons. */
  primary: JSX.Element | null;
  /** Items of "More options" (phones). */
  secondary: BarAction[];
  /** Laid out in "More options" above the layout choice (phones). */
  menu: JSX.Element | null;
}

/** Buttons a 390 px wide phone fits in one row (styles.css: 7 × 2.5rem, Leave 3rem, the gaps). */
const PHONE_SLOTS = 8;
/** The bar's buttons on a phone besides presence's and the media: people, chat, "More options", Leave. */
const PHONE_FIXED = 4;

/** Typing somewhere: a shortcut there would take a keystroke meant for the text. */
/** Whether keys go into text: a text field, a text area, a select, or editable content (not a radio or checkbox). */
export const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) || (target instanceof HTMLInputElement && !/^(radio|checkbox|button|submit|range)$/.test(target.type)));

/** Ctrl+Alt+H toggles the hand while the bar is there, except while typing (the chat box keeps its keys). */
function useHandShortcut(bar: PresenceBar | undefined): void {
  const current = useRef(bar);
  current.current = bar;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const b = current.current;
      if (!b || !isHandShortcut(e) || typing(e.target)) return;
      e.preventDefault();
      b.onHand(!b.handUp);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
}

export function usePresenceBar(bar: PresenceBar | undefined, { narrow, publishes }: { narrow: boolean; publishes: boolean }): BarItems {
  const say = useI18n();
  const { t } = say;
  const headingId = useId();
  useHandShortcut(bar);
  if (!bar) return { lead: null, primary: null, secondary: [], menu: null };
  const hand = <HandButton key="hand" up={bar.handUp} onHand={bar.onHand} />;
  const reactions = <ReactionButton key="reactions" onReact={bar.onReact} />;
  if (!narrow) {
    return {
      lead: bar.own ? <OwnQualityButton quality={bar.own} /> : null,
      primary: (
        <>
          {hand}
          {reactions}
        </>
      ),
      secondary: [],
      menu: null,
    };
  }
  const screen = typeof navigator !== "undefined" && "getDisplayMedia" in (navigator.mediaDevices ?? {});
  const free = PHONE_SLOTS - PHONE_FIXED - (publishes ? 2 + (screen ? 1 : 0) : 0);
  const handInBar = free >= 1;
  const reactionsInBar = free >= 2;
  const own = bar.own;
  const hint = own ? hintText(own, say) : null;
  return {
    lead: null,
    primary: (
      <>
        {handInBar && hand}
        {reactionsInBar && reactions}
      </>
    ),
    secondary: handInBar
      ? []
      : // One name whatever its state: `active` (aria-pressed) says whether the hand is up.
        [{ testid: "raise-hand", icon: <Icon name="hand" />, label: t("hands.raise"), onSelect: () => bar.onHand(!bar.handUp), active: bar.handUp }],
    menu:
      reactionsInBar && !own ? null : (
        <>
          {!reactionsInBar && (
            <div class="menu-reactions" role="group" aria-labelledby={headingId}>
              <p class="menu-heading" id={headingId}>{t("reactions.palette")}</p>
              <ReactionGrid onReact={bar.onReact} />
            </div>
          )}
          {own && (
            <details class="menu-own-quality" data-testid="own-quality">
              <summary>
                <QualityBars grade={own.grade} />
                <span>{hint ?? t("quality.summary", { grade: gradeText(own.grade, say) })}</span>
              </summary>
              <div class="menu-own-details" data-testid="quality-details">
                <OwnDetails quality={own} />
              </div>
            </details>
          )}
        </>
      ),
  };
}
