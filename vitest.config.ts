import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { RealtimeStandIn, type Fault, type RouteName } from "./test/realtime-stand-in/http";
import { RecordingEngineDouble } from "./test/unit/realtime-engine-double";
import { CloudflareTurnStandIn } from "./test/unit/turn-cloudflare-stand-in";

// Keep wrangler and miniflare off the internet: no request.cf lookup, no telemetry.
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_SEND_METRICS ??= "false";

/**
 * Cloudflare's TURN API stands outside the internet-free test machine: a local stand-in that
 * honours its documented contract (test/unit/turn-cloudflare-stand-in.ts) answers the Worker's
 * outgoing requests in the project that uses that provider. `GET /__seen` lets a test read what
 * the stand-in was asked.
 */
const turnStandIn = new CloudflareTurnStandIn("test-key", "test-token");
/**
 * Cloudflare Realtime (the SFU) likewise: its stand-in's HTTP half (test/realtime-stand-in/http.ts)
 * at realtime-stand-in.test, over an engine double that answers fixed SDP (no media moves in
 * workerd tests; Chromium tests use the real engine). `GET /__seen` lists its calls;
 * `POST /__fault {route, fault, times?}` injects a fault (fault null clears it).
 */
const REALTIME = { appId: "workerd-app", secret: "workerd-realtime-secret", host: "realtime-stand-in.test" };
const realtimeStandIn = new RealtimeStandIn(REALTIME.appId, REALTIME.secret, new RecordingEngineDouble());
async function realtimeOutbound(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/__seen") return Response.json(realtimeStandIn.seen);
  if (pathname === "/__fault") {
    const { route, fault, times } = (await request.json()) as { route: RouteName; fault: Fault | null; times?: number };
    realtimeStandIn.fault(route, fault, times);
    return new Response(null, { status: 204 });
  }
  return realtimeStandIn.handle(request);
}
async function outbound(request: Request): Promise<Response> {
  if (new URL(request.url).hostname === REALTIME.host) return realtimeOutbound(request);
  if (new URL(request.url).pathname === "/__seen") return Response.json(turnStandIn.seen);
  return turnStandIn.handle(request);
}

/** The Worker and the room Durable Object inside workerd, with small limits plus `extra`. */
function workerd(extra: Record<string, string>, withOutbound = false) {
  return cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      ...(withOutbound ? { outboundService: outbound } : {}),
      // Small limits so the tests can reach them quickly; the defaults are covered by unit tests.
      bindings: {
        ROOM_CAPACITY: "4",
        // A stage's audience, small enough for a test to fill (test/workerd/stage.test.ts).
        STAGE_VIEWERS: "3",
        RESUME_GRACE_SECONDS: "2",
        // Test clients heartbeat every 300 ms; one that stops is dead after 3 s. Not 1 s: on a
        // loaded 2-core machine an event-loop stall of a second would close honest sockets.
        STALE_SOCKET_SECONDS: "3",
        RATE_BURST: "150",
        RATE_PER_SECOND: "50",
        TURN_PROVIDER: "coturn",
        TURN_SECRET: "workerd-test-secret",
        TURN_URLS: "turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp",
        STUN_URLS: "stun:127.0.0.1:3478",
        ...extra,
      },
    },
  });
}

// Projects: pure units in Node, and the Worker + room Durable Object inside workerd through real
// WebSocket upgrades (twice: the chat ration needs its defaults, the rest needs it lifted).
// Browser tests are a separate runner (npm run test:browser).
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        plugins: [workerd({ CHAT_PER_SECOND: "1000", CHAT_BURST: "1000" })],
        // The chat ration would throttle the tests that send chat as fast as they can (churn,
        // fuzz, bad input); it has its own project, with the ration at its defaults.
        test: { name: "workerd", include: ["test/workerd/**/*.test.ts"], exclude: ["test/workerd/chat-quota.test.ts"], testTimeout: 20_000 },
      },
      {
        plugins: [workerd({ CHAT_MAX_MESSAGES: "30", CHAT_MAX_BYTES: "200000" })],
        test: { name: "workerd-chat-quota", include: ["test/workerd/chat-quota.test.ts"], testTimeout: 20_000 },
      },
      {
        // A room whose members get Cloudflare TURN credentials, revoked when they are gone.
        plugins: [
          workerd(
            { TURN_PROVIDER: "cloudflare", CF_TURN_KEY_ID: "test-key", CF_TURN_API_TOKEN: "test-token", CF_TURN_API_BASE: "https://turn-stand-in.test", CHAT_PER_SECOND: "1000", CHAT_BURST: "1000" },
            true,
          ),
        ],
        test: { name: "workerd-cloudflare-turn", include: ["test/workerd-cloudflare/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        // A deployment with Cloudflare Realtime (the SFU proxy, the transport choice); the others
        // run without it. Small thresholds so that a test crosses them with a few clients
        // (test/workerd-realtime/transport.test.ts): a meeting goes to the SFU at 4 members and
        // back at 1, a stage at 4 viewers (STAGE_VIEWERS above: 3) and back at none; with the SFU a
        // meeting takes 6 and a stage 8 viewers; switches at most every 400 ms; roster changes to 5
        // or more members are batched.
        plugins: [
          workerd(
            {
              REALTIME_APP_ID: REALTIME.appId,
              REALTIME_APP_SECRET: REALTIME.secret,
              REALTIME_API_URL: `https://${REALTIME.host}/v1`,
              MESH_MAX: "3",
              SFU_MEETING_MAX: "6",
              SFU_STAGE_VIEWERS: "8",
              TRANSPORT_SWITCH_MS: "400",
              ROSTER_BATCH_MIN: "5",
            },
            true,
          ),
        ],
        test: { name: "workerd-realtime", include: ["test/workerd-realtime/**/*.test.ts"], testTimeout: 20_000 },
      },
    ],
  },
});
