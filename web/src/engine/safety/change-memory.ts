// Remembers, for this tab, the fingerprints each person in a room presented, so that a changed
// one can be flagged: a new certificate means another device, or someone in the middle.
//
// Kept in sessionStorage (per tab, gone with it), keyed by room, by peer id and by name. A resume
// keeps the peer id; a reload does not (the resume token lives in the page's memory only), so a
// person who comes back under a new id is matched by name against someone of that name who is no
// longer here. A namesake who joins later is compared too: the warning asks to compare the code
// again, which is right for them as well.

/** Entries kept per room; the oldest go first. */
const MAX_ENTRIES = 64;
/** Longest stored value we read back; anything larger is dropped as corrupt. */
const MAX_STORED_CHARS = 64 * 1024;

export interface Remembered {
  id: string;
  name: string;
  /** What they presented: their one fingerprint ("sha-256 AB:…"). */
  fingerprints: string;
  /** A change not yet dismissed. */
  changed: boolean;
}

type KeyValue = Pick<Storage, "getItem" | "setItem">;

function parse(raw: string | null): Remembered[] {
  if (raw === null || raw.length > MAX_STORED_CHARS) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter(
    (e): e is Remembered =>
      typeof e === "object" && e !== null && typeof e.id === "string" && typeof e.name === "string" && typeof e.fingerprints === "string" && typeof e.changed === "boolean",
  );
}

export class ChangeMemory {
  private entries: Remembered[];
  private readonly key: string;

  /** `storage` null (or failing): remembered for this page only. */
  constructor(roomId: string, private readonly storage: KeyValue | null) {
    // v2: one fingerprint per person, named by its algorithm (safety/fingerprints.ts).
    this.key = `roomlink.safety.v2.${roomId}`;
    let raw: string | null = null;
    try {
      raw = storage?.getItem(this.key) ?? null;
    } catch {
      // Blocked storage: start empty.
    }
    this.entries = parse(raw);
  }

  /**
   * Records what `id` (named `name`) presents now and says whether it changed since we last saw
   * them: by id, or else by name among those no longer `present`. A flagged change stays flagged
   * until dismissed, even if the old fingerprint comes back.
   */
  observe(id: string, name: string, fingerprints: readonly string[], present: (id: string) => boolean): boolean {
    const now = [...fingerprints].sort().join("\n");
    const known = this.entries.find((e) => e.id === id) ?? this.formerNamesake(id, name, present);
    const changed = known !== undefined && (known.changed || known.fingerprints !== now);
    this.put({ id, name, fingerprints: now, changed });
    return changed;
  }

  /** The person compared the code again and it matched: the new fingerprints are the ones we know. */
  dismiss(id: string): void {
    const known = this.entries.find((e) => e.id === id);
    if (known) this.put({ ...known, changed: false });
  }

  private formerNamesake(id: string, name: string, present: (id: string) => boolean): Remembered | undefined {
    // The latest one of that name first: the person's previous visit.
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.id !== id && e.name === name && !present(e.id)) return e;
    }
    return undefined;
  }

  private put(entry: Remembered) {
    this.entries = [...this.entries.filter((e) => e.id !== entry.id), entry].slice(-MAX_ENTRIES);
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.entries));
    } catch {
      // Full or blocked: remembered for this page.
    }
  }
}
