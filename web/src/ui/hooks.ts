import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { translate, type Lang, type MessageKey, type Params } from "../i18n/i18n";

/** Re-renders when an engine unit emits `change`; the engine owns the state, the UI reads it. */
export function useEngineState<S>(unit: { state: S; on(e: "change", fn: (s: NoInfer<S>) => void): () => void } | null): S | null {
  const [state, setState] = useState<S | null>(unit?.state ?? null);
  useEffect(() => {
    if (!unit) return;
    setState(unit.state);
    return unit.on("change", setState);
  }, [unit]);
  return state;
}

/** The clock, re-read every `everyMs` while `ticking`: for countdowns and for elapsed times. */
export function useNow(everyMs: number, ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [ticking, everyMs]);
  return now;
}

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, params?: Params) => string;
}

export const I18nContext = createContext<I18n>({ lang: "en", setLang: () => {}, t: (k, p) => translate("en", k, p) });
export const useI18n = () => useContext(I18nContext);
