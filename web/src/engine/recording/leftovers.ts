// Recordings left in OPFS by an earlier page (closed or crashed mid-recording, or never
// downloaded). Which files are someone's: each recorder holds a Web Lock named after its file
// from its start until its recording is discarded (or its page ends, which releases every lock),
// so a file whose lock nobody holds is a leftover, whichever tab asks. Without Web Locks, only
// this page's recorders are known.

import type { LeftoverRecording } from "./contract";
import { recordingsDir } from "./opfs-sink";

const LOCK_PREFIX = "roomlink-recording:";
const ownedHere = new Set<string>();

/**
 * Picks a name not taken in `recordings/` (the suggested one, else with -2, -3… before the
 * extension) and holds its lock until the returned `release()`. Two recorders started at once in
 * this page (composite and self, same minute) get different names: a name is taken here in the
 * same step as it is found free.
 */
export async function claimFreeName(suggested: string): Promise<{ name: string; release: () => void }> {
  const dir = await recordingsDir();
  const dot = suggested.lastIndexOf(".");
  for (let n = 1; ; n++) {
    const name = n === 1 ? suggested : `${suggested.slice(0, dot)}-${n}${suggested.slice(dot)}`;
    // Asked again after the await: a recorder of this page may have taken it meanwhile.
    if (ownedHere.has(name) || (await exists(dir, name)) || ownedHere.has(name)) continue;
    ownedHere.add(name);
    const release = await lock(name);
    if (release) {
      return {
        name,
        release: () => {
          ownedHere.delete(name);
          release();
        },
      };
    }
    // Another tab took this name a moment ago.
    ownedHere.delete(name);
  }
}

/** Holds `name`'s lock until the returned function is called; null if another tab holds it. */
async function lock(name: string): Promise<(() => void) | null> {
  const locks = navigator.locks;
  if (!locks) return () => undefined;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = await new Promise<boolean>((answer) => {
    void locks.request(LOCK_PREFIX + name, { ifAvailable: true }, (granted) => {
      answer(granted !== null);
      return granted ? released : undefined;
    });
  });
  return held ? release : null;
}

async function exists(dir: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  try {
    await dir.getFileHandle(name);
    return true;
  } catch {
    return false;
  }
}

async function claimedNames(): Promise<Set<string>> {
  const names = new Set(ownedHere);
  const held = navigator.locks ? (await navigator.locks.query()).held ?? [] : [];
  for (const lock of held) if (lock.name?.startsWith(LOCK_PREFIX)) names.add(lock.name.slice(LOCK_PREFIX.length));
  return names;
}

export async function listLeftovers(): Promise<LeftoverRecording[]> {
  if (typeof navigator.storage?.getDirectory !== "function") return [];
  const dir = await recordingsDir();
  const claimed = await claimedNames();
  const found: LeftoverRecording[] = [];
  for await (const [name, entry] of dir.entries()) {
    if (entry.kind !== "file" || claimed.has(name)) continue;
    let file: File;
    try {
      file = await (entry as FileSystemFileHandle).getFile();
    } catch {
      // Open for writing elsewhere (a sync access handle locks the file): not a leftover.
      continue;
    }
    found.push({
      name,
      bytes: file.size,
      lastModified: file.lastModified,
      file: () => (entry as FileSystemFileHandle).getFile(),
      discard: () => dir.removeEntry(name),
    });
  }
  return found.sort((a, b) => b.lastModified - a.lastModified);
}
