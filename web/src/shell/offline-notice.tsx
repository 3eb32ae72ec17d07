// "You're offline", on every page: when the service worker opened the app from its cache because
// the network failed (it marks the page: sw/routing.ts's markOffline), and when the browser says
// the network went away while the page is open. A page that looks normal but cannot create or
// join a room would only puzzle; this says why. navigator.onLine at load is not asked: it only
// knows whether some network interface is up, and would say "offline" where rooms work fine (a
// loopback-only test network) or "online" on a Wi-Fi with no internet.

import { useEffect, useState } from "preact/hooks";
import { OFFLINE_MARK } from "./sw/routing";
import { useI18n } from "../ui/hooks";
import "./shell.css";

export function OfflineNotice() {
  const { t } = useI18n();
  const [offline, setOffline] = useState(() => document.documentElement.hasAttribute(OFFLINE_MARK));
  useEffect(() => {
    const online = () => setOffline(false);
    const gone = () => setOffline(true);
    addEventListener("online", online);
    addEventListener("offline", gone);
    return () => {
      removeEventListener("online", online);
      removeEventListener("offline", gone);
    };
  }, []);
  // Always there, empty while online: a live region announces text that changes inside it, not
  // one that appears with its text already in. A landmark of its own, as everything on the page
  // (axe's "region"), named shortly: the message itself is the status's.
  return (
    <aside class={`offline-notice${offline ? " shown" : ""}`} aria-label={t("shell.connection")}>
      <p role="status" data-testid="offline">{offline ? t("shell.offline") : ""}</p>
    </aside>
  );
}
