// Peer-to-peer files as a person does them, for the browser tests: a generated file on disk,
// picked through the chat's paperclip; the offer accepted with its button; the finished file
// saved through its Save link, read back from the download and hashed.

import { createHash, randomBytes } from "node:crypto";
import { createReadStream, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";

export const MiB = 1024 * 1024;

/** A file of `bytes` random bytes under the temp dir; its path and SHA-256. */
export function generatedFile(name: string, bytes: number): { path: string; sha256: string } {
  const path = join(tmpdir(), `roomlink-${process.pid}-${name}`);
  const data = randomBytes(bytes);
  writeFileSync(path, data);
  // Hundreds of MiB per run: gone with the test process.
  process.once("exit", () => rmSync(path, { force: true }));
  return { path, sha256: createHash("sha256").update(data).digest("hex") };
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject);
  });
}

export async function openChat(page: Page): Promise<void> {
  const toggle = page.getByTestId("chat-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

/** Sends `path` to everyone through the chat's "Send a file". */
export async function sendFromChat(page: Page, path: string): Promise<void> {
  await openChat(page);
  await page.getByTestId("file-input").setInputFiles(path);
}

/** The incoming card of the one file offered to this page (the newest if several). */
export const incomingCard = (page: Page): Locator => page.getByTestId("file-in").last();

/** Waits for an offer and presses Accept; returns its transfer id. */
export async function acceptOffer(page: Page, ms = 30_000): Promise<string> {
  const card = page.locator('[data-testid="file-in"][data-status="offered"]').last();
  await card.waitFor({ timeout: ms });
  const transfer = (await card.getAttribute("data-transfer"))!;
  await card.getByTestId("file-accept").click();
  return transfer;
}

/** Waits until the card is done, saves the file through its link and hashes the download. */
export async function savedSha256(page: Page, transfer: string, ms = 120_000): Promise<string> {
  const card = page.locator(`[data-testid="file-in"][data-transfer="${transfer}"][data-status="done"]`);
  await card.waitFor({ timeout: ms });
  const [download] = await Promise.all([page.waitForEvent("download"), card.getByTestId("file-save").click()]);
  return sha256OfFile((await download.path())!);
}

/** bytesDone of the incoming transfer now, read from the session state (0 if none yet). */
export const receivedBytes = (page: Page, transfer: string): Promise<number> =>
  page.evaluate((t) => {
    const g = globalThis as unknown as { roomlink: { session: { state: { files: { incoming: Array<{ transfer: string; progress: { bytesDone: number } | null }> } } } } };
    return g.roomlink.session.state.files.incoming.find((f) => f.transfer === t)?.progress?.bytesDone ?? 0;
  }, transfer);
