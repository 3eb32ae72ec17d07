// A WebSocket a unit test opens, feeds and inspects by hand: injected into ReconnectingSocket and
// SignalingClient in place of the browser's.

export class FakeSocket {
  /** Every socket made, in order; tests reset it. */
  static made: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {}
  open() {
    this.onopen?.();
  }
  /** The `join` frames sent on this socket. */
  get joins(): Array<Record<string, unknown>> {
    return this.sent
      .filter((f) => f.startsWith("{"))
      .map((f) => JSON.parse(f) as Record<string, unknown>)
      .filter((m) => m.type === "join");
  }
}
