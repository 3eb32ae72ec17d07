// Two people may pick the same name; the call must still tell them apart. The earlier joiner
// keeps the plain name and later ones get a number, "Гүлнар (2)", so that everyone (but the
// person themself, who is "you") sees the same label for the same person. Names are compared as
// the room stores them (NFC, hidden characters removed), case-insensitively, since "Aigul" and
// "aigul" are easily taken for each other.

export interface Named {
  id: string;
  name: string;
  joined: number;
}

/** The label to show for each participant id. */
export function distinctNames(people: readonly Named[]): Map<string, string> {
  const byName = new Map<string, Named[]>();
  for (const p of people) {
    const key = p.name.toLocaleLowerCase();
    const list = byName.get(key);
    if (list) list.push(p);
    else byName.set(key, [p]);
  }
  const labels = new Map<string, string>();
  for (const list of byName.values()) {
    list.sort((a, b) => a.joined - b.joined || (a.id < b.id ? -1 : 1));
    list.forEach((p, i) => labels.set(p.id, i === 0 ? p.name : `${p.name} (${i + 1})`));
  }
  return labels;
}

/** Everyone's label, this device included (so that it counts in the numbering like anyone else). */
export function roomLabels(self: { id: string | null; name: string; joined: number | null }, participants: readonly Named[]): Map<string, string> {
  const people = self.id !== null && self.joined !== null ? [{ id: self.id, name: self.name, joined: self.joined }, ...participants] : participants;
  return distinctNames(people);
}
