import type { ComponentType } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { LANGS, loadLang, storeLang, translate, type Lang } from "./i18n/i18n";
import { I18nContext, type I18n } from "./ui/hooks";
import { Landing } from "./ui/landing";
import { RoomPage } from "./ui/room";
import { parseRoute } from "./ui/routes";

/** The connection check is loaded when it is opened: most visits never need it. */
function LazyCheck() {
  const [Page, setPage] = useState<ComponentType | null>(null);
  useEffect(() => {
    void import("./ui/check").then((m) => setPage(() => m.CheckPage));
  }, []);
  return Page ? <Page /> : null;
}

export function App({ initialLang }: { initialLang: Lang }) {
  const [path, setPath] = useState(location.pathname);
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  useEffect(() => {
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

  return (
    <I18nContext.Provider value={i18n}>
      {route.page === "room" ? <RoomPage key={route.roomId} roomId={route.roomId} /> : route.page === "check" ? <LazyCheck /> : <Landing />}
      <label class="lang">
        <span class="sr-only">{i18n.t("lang.label")}</span>
        <select value={lang} onChange={(e) => i18n.setLang(e.currentTarget.value as Lang)} data-testid="lang">
          {(Object.keys(LANGS) as Lang[]).map((l) => <option key={l} value={l}>{LANGS[l]}</option>)}
        </select>
      </label>
    </I18nContext.Provider>
  );
}
