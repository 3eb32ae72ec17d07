// What a connection's bars open: its hint first, in plain words, then every figure.

import type { LinkQuality, OwnQuality } from "../../engine/features/presence-view";
import { useI18n } from "../hooks";
import { hintText, linkRows, ownRows, type Row } from "./quality-text";

function Rows({ rows }: { rows: Row[] }) {
  return (
    <dl class="quality-rows">
      {rows.map((r) => (
        <div key={r.id} data-row={r.id}>
          <dt>{r.label}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LinkDetails({ title, quality }: { title: string; quality: LinkQuality }) {
  const say = useI18n();
  const hint = hintText(quality, say);
  return (
    <>
      <h2 class="pop-title">{title}</h2>
      {hint && <p class="quality-hint" data-testid="quality-hint" data-hint={quality.hint}>{hint}</p>}
      <Rows rows={linkRows(quality, say)} />
    </>
  );
}

export function OwnDetails({ quality }: { quality: OwnQuality }) {
  const say = useI18n();
  const hint = hintText(quality, say);
  return (
    <>
      <h2 class="pop-title">{say.t("quality.yours")}</h2>
      {hint && <p class="quality-hint" data-testid="quality-hint" data-hint={quality.hint}>{hint}</p>}
      <Rows rows={ownRows(quality, say)} />
    </>
  );
}
