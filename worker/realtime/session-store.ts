// Which member created each SFU session of this room: the binding the proxy checks before any
// call on a session (a member acts only on its own sessions), and the list of sessions a pull
// may name (only this room's). Kept in the room's SQLite (storage/sfu-sessions-sqlite.ts), so a
// binding outlives hibernation; in memory for unit tests.

export interface SfuSessionStore {
  /** The member that created `sessionId` here, or null for a session this room does not know. */
  owner(sessionId: string): string | null;
  bind(sessionId: string, member: string, created: number): void;
  /** A member's sessions, oldest first. */
  ofMember(member: string): string[];
  forget(sessionIds: readonly string[]): void;
  /** Forgets the sessions of every member for whom `stays` is false (they have left the room). */
  sweep(stays: (member: string) => boolean): void;
}

export class MemorySfuSessions implements SfuSessionStore {
  private readonly rows = new Map<string, { member: string; created: number }>();

  owner(sessionId: string): string | null {
    return this.rows.get(sessionId)?.member ?? null;
  }

  bind(sessionId: string, member: string, created: number): void {
    this.rows.set(sessionId, { member, created });
  }

  ofMember(member: string): string[] {
    return [...this.rows].filter(([, r]) => r.member === member).sort((a, b) => a[1].created - b[1].created).map(([id]) => id);
  }

  forget(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.rows.delete(id);
  }

  sweep(stays: (member: string) => boolean): void {
    for (const [id, r] of this.rows) if (!stays(r.member)) this.rows.delete(id);
  }
}
