// Adds DOM event listeners and returns the one function that removes exactly those, so that a
// unit's close() cannot forget one it added (or remove one it did not).

export type Listeners = Record<string, (event: never) => void>;

export function listen(target: Pick<EventTarget, "addEventListener" | "removeEventListener">, listeners: Listeners): () => void {
  const entries = Object.entries(listeners) as Array<[string, EventListener]>;
  for (const [event, fn] of entries) target.addEventListener(event, fn);
  return () => {
    for (const [event, fn] of entries) target.removeEventListener(event, fn);
  };
}
