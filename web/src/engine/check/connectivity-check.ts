// The connectivity check behind /check: can this browser, on this network, reach the room
// service, get a public address from STUN, and allocate a TURN relay over UDP, TCP and TLS; do
// its camera and microphone work. Each probe reports as it finishes; the verdict is derived.

import { HEARTBEAT_PING, HEARTBEAT_PONG, PROTOCOL_VERSION, parseServerMessage, type IceConfig } from "../../../../protocol/protocol";
import { log } from "../log";
import { watchLevel } from "../media/level-meter";

export type ProbeStatus = "pending" | "ok" | "failed" | "absent" | "rejected";

export interface CheckResult {
  signaling: { status: ProbeStatus; rttMs: number | null };
  stun: { status: ProbeStatus };
  turn: Record<"udp" | "tcp" | "tls", { status: ProbeStatus }>;
  camera: { status: ProbeStatus };
  microphone: { status: ProbeStatus };
}

export type Verdict = "pending" | "works" | "relay-only" | "direct-only" | "local-only" | "blocked" | "no-service";

export function initialResult(): CheckResult {
  return {
    signaling: { status: "pending", rttMs: null },
    stun: { status: "pending" },
    turn: { udp: { status: "pending" }, tcp: { status: "pending" }, tls: { status: "pending" } },
    camera: { status: "pending" },
    microphone: { status: "pending" },
  };
}

/** What the network results mean for a call. Camera and microphone are reported, not judged. */
export function verdict(r: CheckResult): Verdict {
  const net = [r.signaling, r.stun, r.turn.udp, r.turn.tcp, r.turn.tls];
  if (r.signaling.status === "failed") return "no-service";
  if (net.some((p) => p.status === "pending")) return "pending";
  const relay = Object.values(r.turn).some((p) => p.status === "ok");
  const direct = r.stun.status === "ok";
  const nothingOffered = r.stun.status === "absent" && Object.values(r.turn).every((p) => p.status === "absent");
  if (nothingOffered) return "local-only";
  if (direct && relay) return "works";
  if (relay) return "relay-only";
  if (direct) return "direct-only";
  return "blocked";
}

export interface CheckDeps {
  apiOrigin: string;
  mediaDevices?: MediaDevices;
  onUpdate: (r: CheckResult) => void;
  /** For tests. */
  WebSocket?: typeof WebSocket;
}

const PROBE_MS = 5000;

export async function runConnectivityCheck(deps: CheckDeps): Promise<CheckResult> {
  let result = initialResult();
  const set = (patch: Partial<CheckResult>) => {
    result = { ...result, ...patch };
    deps.onUpdate(result);
  };
  const media = checkMedia(deps.mediaDevices).then((m) => set(m));
  const ice = await checkSignaling(deps).then(
    ({ rttMs, ice }) => {
      set({ signaling: { status: "ok", rttMs } });
      return ice;
    },
    (e: unknown) => {
      log({ event: "check", probe: "signaling", detail: String(e) });
      set({ signaling: { status: "failed", rttMs: null } });
      return null;
    },
  );
  if (!ice) {
    set({ stun: { status: "absent" }, turn: { udp: { status: "absent" }, tcp: { status: "absent" }, tls: { status: "absent" } } });
  } else {
    const stunUrls = ice.iceServers.flatMap((s) => s.urls.filter((u) => /^stuns?:/.test(u)));
    const turnServers = ice.iceServers.filter((s) => s.urls.some((u) => /^turns?:/.test(u)));
    const byTransport = (match: (u: string) => boolean): RTCIceServer[] =>
      turnServers
        .map((s) => ({ ...s, urls: s.urls.filter(match) }))
        .filter((s) => s.urls.length > 0);
    const udp = byTransport((u) => u.startsWith("turn:") && !/transport=tcp/i.test(u));
    const tcp = byTransport((u) => u.startsWith("turn:") && /transport=tcp/i.test(u));
    const tls = byTransport((u) => u.startsWith("turns:"));
    await Promise.all([
      (stunUrls.length ? gather([{ urls: stunUrls }], "all", "srflx") : Promise.resolve<ProbeStatus>("absent")).then((status) => set({ stun: { status } })),
      ...([["udp", udp], ["tcp", tcp], ["tls", tls]] as const).map(([k, servers]) =>
        (servers.length ? gather(servers, "relay", "relay") : Promise.resolve<ProbeStatus>("absent")).then((status) =>
          set({ turn: { ...result.turn, [k]: { status } } }),
        ),
      ),
    ]);
  }
  await media;
  return result;
}

/** Joins a throwaway room (members only get ICE credentials) and times heartbeat round trips. */
async function checkSignaling(deps: CheckDeps): Promise<{ rttMs: number; ice: IceConfig }> {
  const res = await fetch(`${deps.apiOrigin}/api/rooms`, { method: "POST" });
  if (!res.ok) throw new Error(`rooms: ${res.status}`);
  const { id } = (await res.json()) as { id: string };
  const WS = deps.WebSocket ?? WebSocket;
  const ws = new WS(`${deps.apiOrigin.replace(/^http/, "ws")}/api/rooms/${id}/ws`);
  try {
    const ice = await new Promise<IceConfig>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no welcome")), PROBE_MS);
      ws.onerror = () => reject(new Error("socket error"));
      ws.onopen = () => ws.send(JSON.stringify({ type: "join", v: PROTOCOL_VERSION, name: "connectivity check", media: { mic: false, cam: false, screen: false } }));
      ws.onmessage = (e) => {
        const msg = parseServerMessage(e.data);
        if (msg?.type === "welcome") {
          clearTimeout(timer);
          resolve(msg.ice);
        }
      };
    });
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no pong")), PROBE_MS);
        ws.onmessage = (e) => {
          if (e.data === HEARTBEAT_PONG) {
            clearTimeout(timer);
            resolve();
          }
        };
        ws.send(HEARTBEAT_PING);
      });
      rtts.push(performance.now() - t0);
    }
    rtts.sort((a, b) => a - b);
    return { rttMs: Math.round(rtts[2]!), ice };
  } finally {
    // A socket that never opened (or already closed) throws on send (InvalidStateError, WHATWG
    // WebSockets §send); that would replace the error that brought us here. Leave politely only
    // when we can; close() is safe in any state.
    if (ws.readyState === WS.OPEN) ws.send(JSON.stringify({ type: "leave" }));
    ws.close();
  }
}

/** Gathers candidates with these servers until one of `want` appears, gathering ends, or time is up. */
function gather(iceServers: RTCIceServer[], policy: RTCIceTransportPolicy, want: RTCIceCandidateType): Promise<ProbeStatus> {
  return new Promise((resolve) => {
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: policy });
    let rejected = false;
    let finished = false;
    const finish = (status: ProbeStatus) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      pc.close();
      resolve(status);
    };
    const timer = setTimeout(() => finish(rejected ? "rejected" : "failed"), PROBE_MS);
    pc.onicecandidate = (e) => {
      if (e.candidate?.type === want) finish("ok");
      else if (!e.candidate) finish(rejected ? "rejected" : "failed");
    };
    pc.onicecandidateerror = (e) => {
      if ((e as RTCPeerConnectionIceErrorEvent).errorCode === 401) rejected = true;
    };
    pc.createDataChannel("check");
    pc.createOffer()
      .then((o) => pc.setLocalDescription(o))
      .catch((e: unknown) => {
        // No offer, no gathering: this probe cannot succeed, so it ends now instead of at the timeout.
        log({ event: "check", probe: want, detail: `offer failed: ${String(e)}` });
        finish("failed");
      });
  });
}

async function checkMedia(devices: MediaDevices | undefined): Promise<Pick<CheckResult, "camera" | "microphone">> {
  const probe = async (kind: "video" | "audio"): Promise<ProbeStatus> => {
    if (!devices?.getUserMedia) return "failed";
    try {
      const stream = await devices.getUserMedia({ [kind]: true });
      const track = stream.getTracks()[0]!;
      try {
        if (kind === "video") return track.readyState === "live" && (track.getSettings().width ?? 0) > 0 ? "ok" : "failed";
        // A microphone that only ever reads silence is as good as none.
        return await new Promise<ProbeStatus>((resolve) => {
          let stop = () => {};
          const timer = setTimeout(() => {
            stop();
            resolve("failed");
          }, 2000);
          stop = watchLevel(track, (level) => {
            if (level > 0.01) {
              clearTimeout(timer);
              stop();
              resolve("ok");
            }
          });
        });
      } finally {
        track.stop();
      }
    } catch {
      return "failed";
    }
  };
  const [camera, microphone] = await Promise.all([probe("video"), probe("audio")]);
  return { camera: { status: camera }, microphone: { status: microphone } };
}
