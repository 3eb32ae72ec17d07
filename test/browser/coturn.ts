// A real coturn (Debian's turnserver) on loopback for the TURN tests, configured the way a
// production coturn with the TURN REST scheme is (use-auth-secret), but bound to 127.0.0.1.

import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Coturn {
  port: number;
  secret: string;
  stop(): Promise<void>;
}

/** A STUN Binding request (RFC 8489 §5): answered once the server is up. */
export function stunProbe(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const txn = randomBytes(12);
    const msg = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), txn]);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on("message", (m) => done(m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(txn)));
    sock.on("error", () => done(false));
    sock.send(msg, port, "127.0.0.1");
  });
}

export async function startCoturn(secret: string, port = 34780 + Math.floor(Math.random() * 200)): Promise<Coturn> {
  const dir = await mkdtemp(join(tmpdir(), "roomlink-coturn-"));
  const conf = join(dir, "turnserver.conf");
  await writeFile(conf, [
    "listening-ip=127.0.0.1",
    "relay-ip=127.0.0.1",
    `listening-port=${port}`,
    "min-port=49160",
    "max-port=49260",
    "realm=roomlink.test",
    "use-auth-secret",
    `static-auth-secret=${secret}`,
    "fingerprint",
    "no-tls",
    "no-dtls",
    "no-cli",
    // Loopback is the only network here; without this coturn refuses the peer addresses (403).
    "allow-loopback-peers",
    "no-multicast-peers",
    "no-software-attribute",
    `userdb=${join(dir, "turndb.sqlite")}`,
    `pidfile=${join(dir, "turnserver.pid")}`,
    "log-file=stdout",
    "simple-log",
  ].join("\n"));
  const proc: ChildProcess = spawn("turnserver", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout?.on("data", (d) => (output += d));
  proc.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 10_000;
  while (!(await stunProbe(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`coturn did not start on ${port}:\n${output.slice(-2000)}`);
    }
  }
  return {
    port,
    secret,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
