import { useEffect, useState } from "preact/hooks";
import { initialResult, runConnectivityCheck, verdict, type CheckResult, type ProbeStatus } from "../engine/check/connectivity-check";
import { checkText, type CheckKey } from "../i18n/check-strings";
import { useI18n } from "./hooks";
import "./check.css";
import { API_ORIGIN } from "./routes";

/** /check: the seed's "echo test", grown up. */
export function CheckPage() {
  const { lang } = useI18n();
  const t = (key: CheckKey, params?: Record<string, string | number>) => checkText(lang, key, params);
  const [result, setResult] = useState<CheckResult>(initialResult);
  const [run, setRun] = useState(0);
  const [running, setRunning] = useState(true);

  useEffect(() => {
    let live = true;
    setResult(initialResult());
    setRunning(true);
    void runConnectivityCheck({ apiOrigin: API_ORIGIN, mediaDevices: navigator.mediaDevices, onUpdate: (r) => live && setResult(r) }).finally(() => live && setRunning(false));
    return () => {
      live = false;
    };
  }, [run]);

  const v = verdict(result);
  const row = (key: CheckKey, testid: string, status: ProbeStatus, detail?: string) => (
    <li class={`probe ${status}`} data-testid={`probe-${testid}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      <span class="label">{t(key)}</span>
      <span class="status">{t(`check.${status}`)}{detail ? ` · ${detail}` : ""}</span>
    </li>
  );

  return (
    <main class="check-page">
      <h1>{t("check.title")}</h1>
      <p class="muted">{t("check.intro")}</p>
      <ul class="probes">
        {row("check.signaling", "signaling", result.signaling.status, result.signaling.rttMs !== null ? t("check.rtt", { ms: result.signaling.rttMs }) : undefined)}
        {row("check.stun", "stun", result.stun.status)}
        {row("check.turnUdp", "turn-udp", result.turn.udp.status)}
        {row("check.turnTcp", "turn-tcp", result.turn.tcp.status)}
        {row("check.turnTls", "turn-tls", result.turn.tls.status)}
        {row("check.camera", "camera", result.camera.status)}
        {row("check.microphone", "microphone", result.microphone.status)}
      </ul>
      <p class={`verdict ${v}`} role="status" data-testid="verdict" data-verdict={v}>{t(`check.verdict.${v}`)}</p>
      <div class="row">
        <button class="primary" disabled={running} onClick={() => setRun(run + 1)} data-testid="check-again">{t("check.again")}</button>
        <button onClick={() => history.back()}>{t("check.back")}</button>
      </div>
    </main>
  );
}
