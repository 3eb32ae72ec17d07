// The way onto a stage for everyone but its hosts: a name and a button, nothing more. A viewer
// publishes nothing, so this screen has no preview, no device pickers and no camera or mic
// prompt: the page never calls getUserMedia until a host invites it onto the stage.

import { useI18n } from "./hooks";
import { CheckLink, JoinForm, type JoinChoice } from "./prejoin";

export function ViewerPreJoin({ onJoin }: { onJoin: (choice: JoinChoice) => void }) {
  const { t } = useI18n();
  return (
    <main class="prejoin viewer" data-testid="viewer-prejoin">
      <section class="join-panel">
        <h1>{t("stage.viewerTitle")}</h1>
        <p class="viewer-intro">{t("stage.viewerIntro")}</p>
        <JoinForm onJoin={onJoin} submit={t("stage.watch")} />
        <CheckLink />
      </section>
    </main>
  );
}
