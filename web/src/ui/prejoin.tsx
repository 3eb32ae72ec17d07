import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LIMITS } from "../../../protocol/protocol";
import { watchLevel } from "../engine/media/level-meter";
import { readStored, writeStored } from "../stored";
import type { DeviceChoice, LocalMedia } from "../engine/media/local-media";
import { useEngineState, useI18n } from "./hooks";
import { Icon } from "./icons";
import { LevelMeter } from "./level-meter";
import { MediaErrors } from "./media-errors";
import { chooseSpeaker } from "./phone/speaker";
import { navigate } from "./routes";
import { Video } from "./video";

const NAME_KEY = "roomlink.name";
const RELAY_KEY = "roomlink.relayOnly";

export interface JoinChoice {
  name: string;
  relayOnly: boolean;
}

interface JoinFormProps {
  onJoin: (choice: JoinChoice) => void;
  /** The button's words: "Join now", or "Watch" for a stage's viewer. */
  submit: string;
  /** Between the name and the relay-only box: the device pickers, when there are devices. */
  children?: ComponentChildren;
}

/**
 * The name (remembered), "Hide my IP address" and the button: what every way into a room asks,
 * the meeting's pre-join screen and a stage viewer's alike.
 */
export function JoinForm({ onJoin, submit: label, children }: JoinFormProps) {
  const { t } = useI18n();
  const [name, setName] = useState(() => readStored(NAME_KEY) ?? "");
  const [relayOnly, setRelayOnly] = useState(() => readStored(RELAY_KEY) === "1");

  const submit = (e: Event) => {
    e.preventDefault();
    const clean = name.trim();
    if (!clean) return;
    writeStored(NAME_KEY, clean);
    writeStored(RELAY_KEY, relayOnly ? "1" : "0");
    onJoin({ name: clean, relayOnly });
  };

  return (
    <form onSubmit={submit}>
      <label class="field">
        <span>{t("prejoin.name")}</span>
        <input value={name} maxLength={LIMITS.nameMaxChars} placeholder={t("prejoin.namePlaceholder")} onInput={(e) => setName(e.currentTarget.value)} data-testid="name" required />
      </label>
      {children}
      <label class="check">
        <input type="checkbox" checked={relayOnly} onChange={(e) => setRelayOnly(e.currentTarget.checked)} data-testid="relay-only" />
        <span>{t("prejoin.relayOnly")}</span>
      </label>
      <button type="submit" class="primary big" disabled={!name.trim()} data-testid="join">{label}</button>
    </form>
  );
}

export function PreJoin({ media, onJoin }: { media: LocalMedia; onJoin: (choice: JoinChoice) => void }) {
  const { t } = useI18n();
  const state = useEngineState(media)!;
  const [level, setLevel] = useState(0);
  const audio = media.tracks.audio;

  useEffect(() => (audio && state.mic ? watchLevel(audio, setLevel) : undefined), [audio, state.mic]);

  const picker = (kind: keyof DeviceChoice, label: string, devices: MediaDeviceInfo[]) =>
    devices.length > 0 && (
      <label class="picker">
        <span>{label}</span>
        <select value={state.choice[kind] ?? devices[0]!.deviceId} onChange={(e) => (kind === "audioOut" ? chooseSpeaker(media, e.currentTarget.value) : void media.setDevice(kind, e.currentTarget.value))} data-testid={`pick-${kind}`}>
          {devices.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>
          ))}
        </select>
      </label>
    );
  const canPickOutput = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;

  return (
    <main class="prejoin">
      <section class="preview">
        {state.cam ? <Video stream={media.cameraStream} muted mirrored={state.facing !== "environment"} testid="preview" /> : <div class="video placeholder">{t("prejoin.noCamera")}</div>}
        <div class="preview-controls">
          <button class={`round ${state.mic ? "" : "off"}`} aria-pressed={!state.mic} title={state.mic ? t("room.micOn") : t("room.micOff")} onClick={() => void media.setMic(!state.mic)} data-testid="prejoin-mic">
            <Icon name="mic" off={!state.mic} />
          </button>
          <button class={`round ${state.cam ? "" : "off"}`} aria-pressed={!state.cam} title={state.cam ? t("room.camOn") : t("room.camOff")} onClick={() => void media.setCam(!state.cam)} data-testid="prejoin-cam">
            <Icon name="cam" off={!state.cam} />
          </button>
        </div>
        <LevelMeter level={level} />
      </section>
      <section class="join-panel">
        <h1>{t("prejoin.title")}</h1>
        <MediaErrors state={state} />
        <JoinForm onJoin={onJoin} submit={t("prejoin.join")}>
          {picker("videoIn", t("prejoin.camera"), state.devices.videoIn)}
          {picker("audioIn", t("prejoin.microphone"), state.devices.audioIn)}
          {canPickOutput && picker("audioOut", t("prejoin.speaker"), state.devices.audioOut)}
        </JoinForm>
        <CheckLink />
      </section>
    </main>
  );
}

/** The way to the connection check, from either pre-join screen. */
export function CheckLink() {
  const { t } = useI18n();
  return <a href="/check" onClick={(e) => { e.preventDefault(); navigate("/check"); }} data-testid="check-link">{t("prejoin.check")}</a>;
}
