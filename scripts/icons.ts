// Renders the app's icons from its one SVG (web/public/icons/icon.svg) through the system's
// Chromium, so that no image library is needed: the PNGs are committed, and this script is run
// again only when the SVG changes:
//   node scripts/icons.ts
//
// "any" icons are the SVG as drawn (rounded corners, transparent outside them). The maskable one
// and Apple's touch icon fill the whole square with the accent blue and shrink the mark to 80 %,
// so that the mark stays inside the 40 %-radius circle every platform's mask keeps
// (https://w3c.github.io/manifest/#icon-masks); iOS would fill transparent corners with black.

import { readFile, writeFile } from "node:fs/promises";
import { chromium } from "playwright-core";

const DIR = new URL("../web/public/icons/", import.meta.url);
const ACCENT = "#2563eb";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Output {
  file: string;
  size: number;
  /** Full-bleed background and the mark shrunk into the safe zone. */
  maskable: boolean;
}

const OUTPUTS: Output[] = [
  { file: "icon-192.png", size: 192, maskable: false },
  { file: "icon-512.png", size: 512, maskable: false },
  { file: "icon-maskable-512.png", size: 512, maskable: true },
  { file: "apple-touch-icon.png", size: 180, maskable: true },
];

const svg = await readFile(new URL("icon.svg", DIR), "utf8");
const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"], headless: true });
try {
  for (const { file, size, maskable } of OUTPUTS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const inner = maskable ? Math.round(size * 0.8) : size;
    await page.setContent(
      `<body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${maskable ? ACCENT : "transparent"}">` +
        `<img src="${src}" width="${inner}" height="${inner}" alt=""></body>`,
    );
    await page.locator("img").evaluate((img: HTMLImageElement) => img.decode());
    await writeFile(new URL(file, DIR), await page.screenshot({ omitBackground: !maskable, type: "png" }));
    await page.close();
    console.log(`${file}: ${size}×${size}${maskable ? " (maskable)" : ""}`);
  }
} finally {
  await browser.close();
}
