// A minimal typed event emitter for the engine's units. `on` returns its own remover, so a
// listener is removed exactly as it was added.

export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, fn: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (value: never) => void);
    return () => set!.delete(fn as (value: never) => void);
  }

  protected emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) (fn as (v: Events[K]) => void)(value);
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
