// The web app's download, gzipped: what dist/index.html loads first (the landing page), and
// everything a room link needs (that, plus the room chunk and what it imports), from Vite's manifest.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

interface Chunk {
  file: string;
  css?: string[];
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
}

async function gz(dist: string, files: Iterable<string>): Promise<number> {
  let bytes = 0;
  for (const f of files) bytes += gzipSync(await readFile(join(dist, f)), { level: 9 }).byteLength;
  return bytes;
}

export async function bundleSizes(dist = "dist"): Promise<{ initial: number; roomLink: number; initialFiles: string[] }> {
  const html = await readFile(join(dist, "index.html"), "utf8");
  const initialFiles = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const manifest = JSON.parse(await readFile(join(dist, ".vite", "manifest.json"), "utf8")) as Record<string, Chunk>;
  const files = new Set(initialFiles);
  const add = (key: string) => {
    const c = manifest[key];
    if (!c || files.has(c.file)) return;
    files.add(c.file);
    for (const css of c.css ?? []) files.add(css);
    for (const i of c.imports ?? []) add(i);
  };
  add(Object.keys(manifest).find((k) => k.endsWith("ui/room.tsx"))!);
  return { initial: await gz(dist, initialFiles), roomLink: await gz(dist, files), initialFiles };
}
