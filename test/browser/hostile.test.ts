// Hostile content in the browser: names and chat are text, never markup, and the page's
// Content-Security-Policy would stop injected scripts even if they got in.

import assert from "node:assert/strict";
import { it } from "node:test";
import type { Page } from "playwright-core";
import { createRoom, joinRoom, appAndBrowser, newPeerContext, waitUntil } from "./harness.ts";

const env = appAndBrowser();

const NAME = `<img src=x onerror="window.__xss='name'">`;
const TEXT = `<script>window.__xss='script'</script><img src=x onerror="window.__xss='chat'"><b>bold?</b>`;

async function injected(page: Page) {
  return page.evaluate(() => ({
    xss: (globalThis as { __xss?: string }).__xss ?? null,
    imgs: document.querySelectorAll('img[src="x"]').length,
    bolds: document.querySelectorAll(".messages b").length,
  }));
}

it("shows hostile names and chat as text, and nothing runs", async () => {
  const room = await createRoom(env.app);
  const a = await (await newPeerContext(env.browser, env.app)).newPage();
  const b = await (await newPeerContext(env.browser, env.app)).newPage();
  await joinRoom(b, env.app, room, "Bystander");
  await joinRoom(a, env.app, room, NAME);
  await a.getByTestId("chat-input").fill(TEXT);
  await a.getByTestId("chat-input").press("Enter");
  await waitUntil("the hostile chat at B", async () => (await b.getByTestId("chat-message").count()) === 1);

  assert.equal(await b.getByTestId("chat-message").locator(".text").textContent(), TEXT);
  assert.equal(await b.getByTestId("chat-message").locator(".author").textContent(), NAME);
  assert.ok((await b.getByTestId("chat-system").allTextContents()).includes(`${NAME} joined`));
  const tileName = b.locator(".tile.camera:not(.self) .name");
  assert.equal(await tileName.textContent(), NAME);
  await b.getByTestId("people-toggle").click();
  assert.ok((await b.getByTestId("person").allTextContents()).some((t) => t.includes(NAME)));
  for (const page of [a, b]) assert.deepEqual(await injected(page), { xss: null, imgs: 0, bolds: 0 });
  await a.context().close();
  await b.context().close();
});

it("serves the app with a strict Content-Security-Policy and no framing", async () => {
  for (const path of ["/", `/r/${await createRoom(env.app)}`, "/check"]) {
    const res = await fetch(`${env.app.url}${path}`);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.match(res.headers.get("permissions-policy") ?? "", /camera=\(self\)/);
  }
  // The policy is not just present but enforced: an inline script is refused.
  const page = await (await newPeerContext(env.browser, env.app)).newPage();
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  await page.goto(env.app.url);
  const ran = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inline = true";
    document.body.append(s);
    return (globalThis as { __inline?: boolean }).__inline ?? false;
  });
  assert.equal(ran, false);
  await waitUntil("a CSP violation report", () => violations.length > 0, 5000);
  await page.context().close();
});
