// One button over the call when the browser blocked playback (playback.ts): a tap is the gesture
// it waits for, and plays every blocked element at once. Gone as soon as nothing is blocked.

import { useEffect, useState } from "preact/hooks";
import { useI18n } from "./hooks";
import { blockedCount, onBlocked, playBlocked } from "./playback";

export function TapToListen() {
  const { t } = useI18n();
  const [count, setCount] = useState(blockedCount);
  useEffect(() => {
    setCount(blockedCount());
    return onBlocked(setCount);
  }, []);
  if (count === 0) return null;
  return (
    <button class="tap-to-listen primary big" onClick={playBlocked} data-testid="tap-to-listen">
      {t("room.tapToListen")}
    </button>
  );
}
