import { render } from "preact";
import { App, preloadFor } from "./app";
import { loadLang, pickLang, storedLang } from "./i18n/i18n";
import { startShell } from "./shell/register";
import { takeHostKeyFromUrl } from "./ui/routes";
import "./styles.css";

// First of all: a host link's key leaves the address bar before anything else runs.
takeHostKeyFromUrl();
// The chosen language is loaded before the first render, so nobody sees English flash first.
preloadFor(location.pathname);
const lang = pickLang(navigator.languages ?? [navigator.language], storedLang());
document.documentElement.lang = lang;
void loadLang(lang)
  .catch(() => undefined)
  .then(() => render(<App initialLang={lang} />, document.getElementById("app")!));
// The installable app's service worker (shell/): registered once the page has loaded.
startShell();
