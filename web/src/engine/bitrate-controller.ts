// Keeps every link's outgoing video inside the device's upload budget: recomputes the caps when
// the room grows or shrinks or a screen share starts, and every 2 s steps a struggling link down
// (or a recovered one back up) from the receiver's reports (remote-inbound-rtp).

import { LinkQuality, peerCaps, scaleCap } from "./bitrate-budget";
import type { PeerLink } from "./peer-link";

export interface BudgetSource {
  /** Bits per second for this device's whole upload. */
  budgetBps(): number;
  screen(): boolean;
}

export const STATS_INTERVAL_MS = 2000;

export class BitrateController {
  private readonly quality = new WeakMap<PeerLink, LinkQuality>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly links: () => PeerLink[],
    private readonly source: BudgetSource,
  ) {
    this.timer = setInterval(() => void this.tick(), STATS_INTERVAL_MS);
  }

  /** The room or the media changed: every link gets its new cap now. */
  update(): void {
    for (const link of this.links()) void this.apply(link);
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private apply(link: PeerLink): Promise<void> {
    const peers = this.links().length;
    const caps = peerCaps({ budgetBps: this.source.budgetBps(), peers, screen: this.source.screen() });
    const factor = this.quality.get(link)?.factor ?? 1;
    return link.applyCaps({
      camera: scaleCap(caps.camera, factor, "camera"),
      screen: caps.screen ? scaleCap(caps.screen, factor, "screen") : null,
      audio: caps.audio,
    });
  }

  private async tick() {
    for (const link of this.links()) {
      if (link.state !== "connected") continue;
      let quality = this.quality.get(link);
      if (!quality) this.quality.set(link, (quality = new LinkQuality()));
      const report = await videoReport(link.pc);
      if (report) quality.report(report.fractionLost, report.rtt);
      // Applied every tick: cheap when unchanged, and it reaches links negotiated since the last update.
      await this.apply(link);
    }
  }
}

/** What the remote says about our video: the worst loss and round trip across our video senders. */
async function videoReport(pc: RTCPeerConnection): Promise<{ fractionLost: number; rtt: number } | null> {
  let found = false;
  let fractionLost = 0;
  let rtt = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type !== "remote-inbound-rtp" || s.kind !== "video") return;
    found = true;
    fractionLost = Math.max(fractionLost, s.fractionLost ?? 0);
    rtt = Math.max(rtt, s.roundTripTime ?? 0);
  });
  return found ? { fractionLost, rtt } : null;
}
