// A safety code as people read it: monospace, two groups of four. Screen readers get it one
// character at a time ("A B C D, E F G H"): read as a word, "K7QX" is not something to compare.

import { groupCode } from "../../engine/safety/code";
import "./safety.css";

export function SafetyCode({ code, testid }: { code: string; testid?: string }) {
  const spelled = `${[...code.slice(0, 4)].join(" ")}, ${[...code.slice(4, 8)].join(" ")}`;
  return (
    <span class="safety-code" data-testid={testid} data-code={code}>
      <span aria-hidden="true">{groupCode(code)}</span>
      <span class="sr-only">{spelled}</span>
    </span>
  );
}
