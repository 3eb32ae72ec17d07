// The layout choice: auto, grid or speaker, as radio buttons with a line on what each does. It
// stays open on a change, so that arrow keys can walk the choices.

import { useId } from "preact/hooks";
import { useI18n } from "../../hooks";
import { LAYOUT_CHOICES, type LayoutChoice } from "./choose-layout";

export function LayoutPicker({ choice, onChoose }: { choice: LayoutChoice; onChoose: (choice: LayoutChoice) => void }) {
  const { t } = useI18n();
  const name = useId();
  return (
    <fieldset class="layout-choice" data-testid="layout-choice" data-value={choice}>
      <legend>{t("layout.title")}</legend>
      {LAYOUT_CHOICES.map((value) => (
        <label key={value} class="layout-option">
          <input type="radio" name={name} value={value} checked={choice === value} onChange={() => onChoose(value)} data-testid={`layout-${value}`} />
          <span>
            <span class="layout-option-name">{t(`layout.${value}`)}</span>
            <span class="hint">{t(`layout.${value}Hint`)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
