// A QR code drawn in the page (uqr computes the modules; nothing leaves the device), as one SVG
// path: black modules on white with the four-module quiet zone the standard asks for (ISO/IEC
// 18004), whatever the theme, since phone cameras read dark-on-light codes best. Medium error
// correction: a room link fits a small code, and a glare or a cracked screen still reads.

import { useMemo } from "preact/hooks";
import { encode } from "uqr";

const QUIET_ZONE = 4;

/** The path of the dark modules, one subpath per horizontal run (a few hundred, not thousands). */
export function modulesPath(data: readonly (readonly boolean[])[]): string {
  let d = "";
  data.forEach((row, y) => {
    for (let x = 0; x < row.length; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (row[x]) x++;
      d += `M${start} ${y}h${x - start}v1h${start - x}z`;
    }
  });
  return d;
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const qr = useMemo(() => encode(text, { ecc: "M", border: QUIET_ZONE }), [text]);
  const d = useMemo(() => modulesPath(qr.data), [qr]);
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${qr.size} ${qr.size}`} shape-rendering="crispEdges" data-testid="invite-qr" data-text={text}>
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** A small QR mark for the button that opens the invite sheet, in icons.tsx's line style. */
export function QrIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <rect x="4" y="4" width="6" height="6" rx="1" />
      <rect x="14" y="4" width="6" height="6" rx="1" />
      <rect x="4" y="14" width="6" height="6" rx="1" />
      <path d="M14 14h2v2h-2zM18 18h2v2h-2zM14 20h1M20 14v1" />
    </svg>
  );
}
