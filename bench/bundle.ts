// The web app's initial download: the JS and CSS that dist/index.html loads, gzipped.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export async function initialBundle(dist = "dist"): Promise<{ bytes: number; files: string[] }> {
  const html = await readFile(join(dist, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  let bytes = 0;
  for (const f of files) bytes += gzipSync(await readFile(join(dist, f)), { level: 9 }).byteLength;
  return { bytes, files };
}
