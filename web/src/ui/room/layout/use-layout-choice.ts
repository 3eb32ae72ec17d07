// The person's layout choice for the call: remembered on this device, and whether it was made
// while a screen is shared (a share shows large unless the person picked something else during it).

import { useEffect, useState } from "preact/hooks";
import { storedLayout, storeLayout } from "../../../stored";
import type { LayoutChoice } from "./choose-layout";

export interface LayoutChoiceState {
  choice: LayoutChoice;
  /** Picked while the current share runs; false again when the next share starts. */
  choseDuringShare: boolean;
  choose: (choice: LayoutChoice) => void;
}

/** `sharing`: anyone, us included, shares a screen now. */
export function useLayoutChoice(sharing: boolean): LayoutChoiceState {
  const [choice, setChoice] = useState<LayoutChoice>(storedLayout);
  const [choseDuringShare, setChoseDuringShare] = useState(false);
  useEffect(() => {
    // A share that starts is shown large, whatever was picked before it.
    if (sharing) setChoseDuringShare(false);
  }, [sharing]);
  const choose = (next: LayoutChoice) => {
    setChoice(next);
    setChoseDuringShare(sharing);
    storeLayout(next);
  };
  return { choice, choseDuringShare, choose };
}
