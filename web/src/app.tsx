import type { ComponentType } from "preact";
import { useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";
import { dtlsCertificate } from "./engine/safety/certificate-store";
import { LANGS, loadLang, storeLang, translate, type Lang } from "./i18n/i18n";
import { OfflineNotice } from "./shell/offline-notice";
import { setShellPage } from "./shell/register";
import { I18nContext, type I18n } from "./ui/hooks";
import { Landing } from "./ui/landing";
import { parseRoute, prefetchRoomInfo } from "./ui/routes";

/**
 * Pages load with their route: the landing page (where most first visits start) ships without
 * the call engine, and the connection check loads only when someone opens it.
 */
function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | null = null;
  return function Lazy(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    useEffect(() => {
      if (!Page) void load().then((c) => setPage(() => (loaded = c)));
    }, []);
    return Page ? <Page {...props} /> : null;
  };
}

const loadRoom = () => import("./ui/room").then((m) => m.RoomPage);
const RoomPage = lazyPage(loadRoom);
const CheckPage = lazyPage(() => import("./ui/check").then((m) => m.CheckPage));

/**
 * Starts fetching the room code at once on a room link, alongside the language, not after the
 * first render; and asks what the room is (a meeting or a stage) at the same time, since the
 * camera waits for that answer.
 */
export function preloadFor(pathname: string): void {
  const route = parseRoute(pathname);
  if (route.page !== "room") return;
  void loadRoom();
  prefetchRoomInfo(route.roomId);
  // The safety code's certificate (IndexedDB, or a new one): ready before the person presses Join.
  void dtlsCertificate();
}

export function App({ initialLang }: { initialLang: Lang }) {
  const [path, setPath] = useState(location.pathname);
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  // Layout effect: the page's language changes in the same frame as its text (screen readers and
  // hyphenation read `lang`), not one paint later.
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      setLang: (l) => {
        storeLang(l);
        void loadLang(l).then(() => setLangState(l));
      },
      t: (key, params) => translate(lang, key, params),
    }),
    [lang],
  );
  const route = parseRoute(path);
  // An app update waits for a page where reloading loses nothing (shell/update-policy.ts).
  useEffect(() => setShellPage(route.page), [route.page]);

  return (
    <I18nContext.Provider value={i18n}>
      <OfflineNotice />
      {route.page === "room" ? <RoomPage key={route.roomId} roomId={route.roomId} /> : route.page === "check" ? <CheckPage /> : <Landing />}
      {/* A landmark of its own (axe's "region"): everything on the page is in one. */}
      <footer class="lang">
        <label>
          <span class="sr-only">{i18n.t("lang.label")}</span>
          <select value={lang} onChange={(e) => i18n.setLang(e.currentTarget.value as Lang)} data-testid="lang">
            {(Object.keys(LANGS) as Lang[]).map((l) => <option key={l} value={l}>{LANGS[l]}</option>)}
          </select>
        </label>
      </footer>
    </I18nContext.Provider>
  );
}
