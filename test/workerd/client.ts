// A test client for the room socket, speaking the wire protocol through a real WebSocket upgrade
// on the Worker (the same path a browser takes).

import { env, exports } from "cloudflare:workers";
import { PROTOCOL_VERSION, parseServerMessage, type MediaState, type Mode, type ServerMessage } from "../../protocol/protocol";

export const ORIGIN = "http://localhost";
export const NO_MEDIA: MediaState = { mic: false, cam: false, screen: false };

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** Each test client looks like a different person (its own address), so per-IP limits stay out of the way. */
let addresses = 0;
export const nextAddress = () => `test-client-${++addresses}`;

export async function createRoom(): Promise<string> {
  return (await createHostedRoom()).id;
}

/** Creates a room as its creator does: its id and its host key (and "ask to join" on with `lobby`, a stage with `mode`). */
export async function createHostedRoom(options: { lobby?: boolean; mode?: Mode } = {}): Promise<{ id: string; hostKey: string }> {
  const res = await exports.default.fetch(`${ORIGIN}/api/rooms`, {
    method: "POST",
    headers: { "CF-Connecting-IP": nextAddress() },
    ...(options.lobby !== undefined || options.mode !== undefined ? { body: JSON.stringify(options) } : {}),
  });
  if (res.status !== 201) throw new Error(`room not created: ${res.status}`);
  return (await res.json()) as { id: string; hostKey: string };
}

/** What a join may carry besides its name. */
export interface JoinExtra {
  since?: number;
  media?: MediaState;
  resume?: { id: string; token: string };
  hostKey?: string;
  passcode?: string;
  device?: string;
}

/** The join frame a test client sends. */
export function joinFrame(name: string, extra: JoinExtra = {}) {
  const { media, ...rest } = extra;
  return { type: "join", v: PROTOCOL_VERSION, name, media: media ?? NO_MEDIA, ...rest };
}

export function roomStub(roomId: string) {
  return env.ROOMS.get(env.ROOMS.idFromName(roomId));
}

export class TestClient {
  readonly frames: ServerMessage[] = [];
  readonly raw: string[] = [];
  /** `roster` batches received (protocol/features/roster-batch.ts); their frames are in `frames`, in order, as a client applies them. */
  batches = 0;
  /** Called for every server frame, as it arrives. */
  onFrame: ((msg: ServerMessage) => void) | null = null;
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];
  private cursor = 0;

  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(readonly ws: WebSocket, heartbeat = true) {
    // Like a real client, it pings the runtime's auto-response; the room prunes sockets that stop.
    if (heartbeat) {
      this.heartbeat = setInterval(() => {
        try {
          ws.send("ping");
        } catch {
          this.stopHeartbeat();
        }
      }, 300);
    }
    ws.addEventListener("message", (e) => {
      const data = e.data as string;
      this.raw.push(data);
      const msg = parseServerMessage(data);
      if (msg?.type === "roster") {
        this.batches++;
        for (const f of msg.frames) {
          this.frames.push(f);
          this.onFrame?.(f);
        }
      } else if (msg) {
        this.frames.push(msg);
        this.onFrame?.(msg);
      }
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.stopHeartbeat();
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  static async open(roomId: string, headers: Record<string, string> = {}, heartbeat = true): Promise<TestClient> {
    const res = await exports.default.fetch(`${ORIGIN}/api/rooms/${roomId}/ws`, {
      headers: { Upgrade: "websocket", Origin: ORIGIN, "CF-Connecting-IP": nextAddress(), ...headers },
    });
    if (!res.webSocket) throw new Error(`upgrade refused: ${res.status}`);
    res.webSocket.accept();
    return new TestClient(res.webSocket, heartbeat);
  }

  /** Opens a socket and joins; resolves with the welcome. */
  static async join(roomId: string, name: string, extra: JoinExtra & { headers?: Record<string, string> } = {}) {
    const { headers, ...fields } = extra;
    const client = await TestClient.open(roomId, headers);
    client.send(joinFrame(name, fields));
    const welcome = await client.next("welcome");
    return { client, welcome, id: welcome.you.id };
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(frame: string | ArrayBuffer): void {
    this.ws.send(frame);
  }

  /** The next frame of this type after those already taken, waiting up to `ms`. */
  async next<T extends ServerMessage["type"]>(type: T, ms = 5000): Promise<Msg<T>> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const f = this.frames[this.cursor++]!;
        if (f.type === type) return f as Msg<T>;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${type}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.frames.slice(-3))}`);
      await this.tick(deadline - Date.now());
    }
  }

  /** All frames of a type received so far. */
  all<T extends ServerMessage["type"]>(type: T): Msg<T>[] {
    return this.frames.filter((f): f is Msg<T> => f.type === type);
  }

  async waitFor(pred: () => boolean, ms = 5000, what = "condition"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await this.tick(deadline - Date.now());
    }
  }

  async waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    await this.waitFor(() => this.closed !== null, ms, "close");
    return this.closed!;
  }

  close(code = 1000, reason = "bye"): void {
    this.stopHeartbeat();
    try {
      this.ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  private tick(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
