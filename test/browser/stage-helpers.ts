// What the stage tests do as a person would, on the mesh (stage.test.ts) and on the SFU
// (sfu-stage.test.ts): read a page's seat and the hands its host sees, open the chat and people
// panels, and act on someone from the host's people list.

import type { Page } from "playwright-core";

type Hooked = { roomlink: { session: { state: { stage: { seat: string; hands: string[] } } } } };

/** "speaker" or "viewer". */
export const seatOf = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).roomlink.session.state.stage.seat);

/** Whether `page` sees `peerId`'s hand raised. */
export const sawHand = (page: Page, peerId: string) => page.evaluate((id) => (globalThis as unknown as Hooked).roomlink.session.state.stage.hands.includes(id), peerId);

export async function openChat(page: Page): Promise<void> {
  const toggle = page.getByTestId("chat-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

export async function openPeople(page: Page): Promise<void> {
  const toggle = page.getByTestId("people-toggle");
  if (!((await toggle.getAttribute("class")) ?? "").includes("active")) await toggle.click();
}

/** `action` (a menu item's test id: invite-stage, move-audience, remove…) on `peerId` in the host's people list. */
export async function personAction(host: Page, peerId: string, action: string): Promise<void> {
  await openPeople(host);
  const row = host.locator(`[data-testid="person"][data-peer="${peerId}"]`);
  await row.getByTestId("person-menu").click();
  await row.getByTestId(action).click();
}
