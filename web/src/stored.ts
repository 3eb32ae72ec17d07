// Small remembered preferences (name, language, recent rooms, relay-only). Storage can be blocked
// (privacy mode, sandboxed frames): then nothing is remembered and nothing breaks.

export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}
