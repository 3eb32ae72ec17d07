// What a page's session says about its resumes, read the same way by the mesh's and the SFU's
// reliability tests: its id, status and reconnect count, the Realtime session it publishes on,
// whether the connections that carried the call before still carry it, whether the page was
// reloaded, and the chat it shows.

import type { Page } from "playwright-core";

type Session = {
  state: { selfId: string; status: string; reconnects: number };
  peerConnections: RTCPeerConnection[];
  sfuPublication: { session: string } | null;
};
type Hooked = { roomlink: { session: Session }; held: RTCPeerConnection[]; loadedOnce?: boolean };

/** The page's id, status, reconnects, how many peer connections it has, and its Realtime session (null on the mesh). */
export const sessionOf = (page: Page) =>
  page.evaluate(() => {
    const s = (globalThis as unknown as Hooked).roomlink.session;
    return { selfId: s.state.selfId, status: s.state.status, reconnects: s.state.reconnects, pcs: s.peerConnections.length, sfu: s.sfuPublication?.session ?? null };
  });

/** Keeps a reference to the page's peer connections, to prove later that the same ones carry the call. */
export const holdConnections = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as Hooked;
    g.held = [...g.roomlink.session.peerConnections];
  });

/** The page has the connections holdConnections kept, and no other. */
export const sameConnections = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as Hooked;
    const now = g.roomlink.session.peerConnections;
    return now.length === g.held.length && now.every((pc, i) => pc === g.held[i]);
  });

/** A mark that a reload would lose. */
export const markLoaded = (page: Page) => page.evaluate(() => void ((globalThis as unknown as Hooked).loadedOnce = true));
export const notReloaded = (page: Page) => page.evaluate(() => (globalThis as unknown as Hooked).loadedOnce === true);

export const chatTexts = (page: Page) => page.getByTestId("chat-message").locator(".text").allTextContents();
export const systemTexts = (page: Page) => page.getByTestId("chat-system").allTextContents();
