// A connection's grade as five bars, lit from the left, in a colour by band (Jitsi's and Meet's
// picture). Decorative: the button that holds them says the grade in words.

import type { QualityGrade } from "../../engine/features/presence-view";

const BARS = [1, 2, 3, 4, 5] as const;

export const band = (grade: QualityGrade): "good" | "fair" | "bad" => (grade >= 4 ? "good" : grade >= 2 ? "fair" : "bad");

export function QualityBars({ grade }: { grade: QualityGrade }) {
  return (
    <span class={`quality-bars ${band(grade)}`} data-testid="quality-bars" data-grade={grade} aria-hidden="true">
      {BARS.map((n) => <span key={n} class={n <= grade ? "lit" : undefined} style={{ height: `${20 + n * 16}%` }} />)}
    </span>
  );
}
