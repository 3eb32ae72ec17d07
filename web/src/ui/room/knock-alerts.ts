// How a host hears and sees a knock when looking elsewhere: a short ring drawn with WebAudio (two
// bursts of the dual 440 + 480 Hz tone telephones use for ringing, so no audio file to ship or
// fetch), and a system notification while the tab is hidden.

/** Two rings of 0.4 s, 0.2 s apart; quiet, with ramps so that it does not click. */
const BURSTS: ReadonlyArray<readonly [start: number, length: number]> = [
  [0, 0.4],
  [0.6, 0.4],
];
const VOLUME = 0.12;

export function ring(): void {
  const Ctx = globalThis.AudioContext;
  if (!Ctx) return;
  let ctx: AudioContext;
  try {
    ctx = new Ctx();
  } catch {
    return; // no audio output
  }
  const gain = ctx.createGain();
  gain.gain.value = 0;
  gain.connect(ctx.destination);
  const t0 = ctx.currentTime + 0.02;
  for (const [start, length] of BURSTS) {
    gain.gain.setValueAtTime(0, t0 + start);
    gain.gain.linearRampToValueAtTime(VOLUME, t0 + start + 0.02);
    gain.gain.setValueAtTime(VOLUME, t0 + start + length - 0.03);
    gain.gain.linearRampToValueAtTime(0, t0 + start + length);
  }
  const end = t0 + BURSTS.at(-1)![0] + BURSTS.at(-1)![1];
  const oscillators = [440, 480].map((hz) => {
    const osc = ctx.createOscillator();
    osc.frequency.value = hz;
    osc.connect(gain);
    osc.start(t0);
    osc.stop(end);
    return osc;
  });
  // Every node and the context go when the sound ends: one context per ring, none left open.
  oscillators[0]!.onended = () => void ctx.close().catch(() => undefined);
}

/** A system notification, only while the tab is hidden and only with permission; closed by the returned function. */
export function notify(title: string, body: string): () => void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted" || !document.hidden) return () => {};
  try {
    // One at a time: the tag replaces the previous knock's notification instead of stacking them.
    const n = new Notification(title, { body, tag: "roomlink-knock" });
    n.onclick = () => {
      focus();
      n.close();
    };
    return () => n.close();
  } catch {
    // Android Chrome allows notifications only from a service worker; the ring and the title remain.
    return () => {};
  }
}
