// "You're offline": shown while the browser has no network, on every page. The installed app
// opens from the service worker's cache without one (sw/service-worker.ts), and a page that
// looks normal but cannot create or join a room would only puzzle; this says why.

import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../ui/hooks";
import "./shell.css";

export function OfflineNotice() {
  const { t } = useI18n();
  const [offline, setOffline] = useState(() => !navigator.onLine);
  useEffect(() => {
    const update = () => setOffline(!navigator.onLine);
    addEventListener("online", update);
    addEventListener("offline", update);
    return () => {
      removeEventListener("online", update);
      removeEventListener("offline", update);
    };
  }, []);
  // A landmark of its own, as everything on the page (axe's "region").
  return offline ? (
    <aside class="offline-notice" aria-label={t("shell.offline")}>
      <p role="status" data-testid="offline">{t("shell.offline")}</p>
    </aside>
  ) : null;
}
