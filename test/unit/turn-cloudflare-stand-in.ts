// A local stand-in for Cloudflare Realtime TURN's key API, used by the unit tests (behind a real
// HTTP server) and the workerd tests (as an injected fetch). The contract it honours, from
// Cloudflare's documentation (Realtime → TURN → Generate Credentials):
//
//   POST {base}/v1/turn/keys/{keyId}/credentials/generate-ice-servers
//        Authorization: Bearer <key API token>   Content-Type: application/json   {"ttl": <seconds>}
//     → 201 {"iceServers": [{"urls": [stun…]}, {"urls": [turn…, turns…], "username", "credential"}]}
//       (URLs on port 53 included, as Cloudflare's are)
//   POST {base}/v1/turn/keys/{keyId}/credentials/{username}/revoke
//        Authorization: Bearer <key API token>
//     → 204 No Content, and from then on that username is refused.
//
// Where the documentation says nothing, the stand-in picks an answer and the Worker must cope
// with any: a wrong key id or token gets 401; a ttl outside 1…172800 gets 400; revoking a
// username this key never issued gets 404; revoking one twice gets 204 again. Every generate
// issues a new username (cf-user-1, cf-user-2, …). `status(username)` says what the TURN server
// would do with a username now, so a test can see that a revoke happened.

export type GenerateMode = "ok" | "401" | "500" | "slow" | "garbage";
export type RevokeMode = "ok" | "500" | "slow";
export type CredentialStatus = "valid" | "revoked" | "expired" | "unknown";

export interface SeenCall {
  /** "<method> <path>" */
  url: string;
  auth: string | null;
  body: unknown;
}

const MAX_TTL = 172_800;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export class CloudflareTurnStandIn {
  readonly seen: SeenCall[] = [];
  generateMode: GenerateMode = "ok";
  revokeMode: RevokeMode = "ok";
  private readonly issued = new Map<string, { expiresAt: number; revoked: boolean }>();
  private count = 0;

  constructor(
    readonly keyId: string,
    readonly token: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The stand-in as a `fetch`: the request never leaves the process, and the caller's signal
   * aborts it. (That signal, not the Request's copy of it: Node ties the copy to the original
   * only weakly, and a pending request that nothing else holds can lose its abort.)
   */
  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    this.handle(new Request(input, init), init?.signal ?? undefined);

  /** Calls whose path ends so: "generate-ice-servers" or "revoke". */
  calls(kind: "generate-ice-servers" | "revoke"): SeenCall[] {
    return this.seen.filter((c) => c.url.endsWith(`/${kind}`));
  }

  status(username: string): CredentialStatus {
    const c = this.issued.get(username);
    if (!c) return "unknown";
    if (c.revoked) return "revoked";
    return c.expiresAt > this.now() ? "valid" : "expired";
  }

  /** Answers one request; `signal` (default: the request's own) ends a request that gets no answer. */
  async handle(req: Request, signal: AbortSignal = req.signal): Promise<Response> {
    const path = new URL(req.url).pathname;
    const raw = await req.text();
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    this.seen.push({ url: `${req.method} ${path}`, auth: req.headers.get("authorization"), body });
    const m = /^\/v1\/turn\/keys\/([^/]+)\/credentials\/(?:(generate-ice-servers)|([^/]+)\/(revoke))$/.exec(path);
    if (req.method !== "POST" || !m) return json(404, { error: "no such route" });
    if (decodeURIComponent(m[1]!) !== this.keyId || req.headers.get("authorization") !== `Bearer ${this.token}`) return json(401, { error: "bad key or token" });
    return m[2] ? this.generate(signal, body) : this.revoke(signal, decodeURIComponent(m[3]!));
  }

  private async generate(signal: AbortSignal, body: unknown): Promise<Response> {
    if (this.generateMode === "slow") return this.never(signal);
    if (this.generateMode === "401") return json(401, { error: "bad token" });
    if (this.generateMode === "500") return new Response("oops", { status: 500 });
    if (this.generateMode === "garbage") return json(201, { iceServers: "nope" });
    const ttl = typeof body === "object" && body !== null && "ttl" in body ? body.ttl : undefined;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) return json(400, { error: "bad ttl" });
    const n = ++this.count;
    const username = `cf-user-${n}`;
    this.issued.set(username, { expiresAt: this.now() + ttl * 1000, revoked: false });
    return json(201, {
      iceServers: [
        { urls: ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"] },
        {
          urls: [
            "turn:turn.cloudflare.com:3478?transport=udp", "turn:turn.cloudflare.com:53?transport=udp",
            "turn:turn.cloudflare.com:3478?transport=tcp", "turns:turn.cloudflare.com:5349?transport=tcp",
            "turns:turn.cloudflare.com:443?transport=tcp",
          ],
          username,
          credential: `cf-pass-${n}`,
        },
      ],
    });
  }

  private async revoke(signal: AbortSignal, username: string): Promise<Response> {
    if (this.revokeMode === "slow") return this.never(signal);
    if (this.revokeMode === "500") return new Response("oops", { status: 500 });
    const c = this.issued.get(username);
    if (!c) return json(404, { error: "no such credential" });
    c.revoked = true;
    return new Response(null, { status: 204 });
  }

  /** Never answers; rejects when the caller gives up, as a network request would. */
  private never(signal: AbortSignal): Promise<Response> {
    return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  }
}
