// Voice message figure in headless Chromium: from pressing Send (a 2 s recording from the fake
// microphone) to the message being playable at the other member (its player has the recording's
// metadata: duration known, ready to play). The path: a `voice-upload` frame, the PUT to the
// Worker (R2, simulated locally), the chat frame, the fan-out, and the other browser's first
// ranged GET.

import type { BenchKit } from "./browser.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function voicePlayableMs(kit: BenchKit): Promise<number> {
  const { id } = await kit.room();
  const a = await kit.page();
  const b = await kit.page();
  try {
    await kit.join(a, id);
    await a.waitForSelector('[data-testid="room"][data-status="joined"]');
    await kit.join(b, id);
    await b.waitForSelector('[data-testid="room"][data-status="joined"]');
    for (const p of [a, b]) {
      const toggle = p.getByTestId("chat-toggle");
      if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
    }
    await a.getByTestId("voice-record").click();
    await a.getByTestId("voice-recording").waitFor();
    await sleep(2000);
    // Both clocks are this machine's: the press in A's page, the readiness in B's.
    const pressed = await a.evaluate(() => {
      const at = performance.timeOrigin + performance.now();
      document.querySelector<HTMLButtonElement>('[data-testid="voice-send"]')!.click();
      return at;
    });
    const ready = await b.waitForFunction(
      () => {
        const audio = document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]');
        return audio && audio.readyState >= 1 ? performance.timeOrigin + performance.now() : false;
      },
      null,
      { polling: 10, timeout: 30_000 },
    );
    return ((await ready.jsonValue()) as number) - pressed;
  } finally {
    for (const p of [a, b]) await p.context().close();
  }
}
