import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// `npm run deploy` is one `wrangler deploy`; its dry run builds the web app (wrangler.toml
// [build]) and bundles the Worker without uploading anything.
describe("deploy", () => {
  it("builds and bundles the Worker, the room Durable Object, the voice bucket's binding and the assets in a dry run", async () => {
    const out = await mkdtemp(join(tmpdir(), "roomlink-deploy-"));
    try {
      const { stdout } = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
        env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
        timeout: 120_000,
      });
      expect(stdout).toMatch(/env\.ROOMS \(RoomDO\)/);
      // Voice recordings' bucket: bound without a name, so that the deploy provisions it.
      expect(stdout).toMatch(/env\.VOICE\s+R2 Bucket/);
      // Files relayed on the SFU: a second bucket, provisioned the same way.
      expect(stdout).toMatch(/env\.FILES\s+R2 Bucket/);
      expect(stdout).toMatch(/--dry-run: exiting now/);
      const files = await readdir(out);
      const bundle = await readFile(join(out, files.find((f) => f.endsWith(".js"))!), "utf8");
      expect(bundle).toMatch(/RoomDO = class extends DurableObject/);
      expect(stdout).toMatch(/Read \d+ files from the assets directory/);
      const assets = await readdir(join(process.cwd(), "dist"));
      expect(assets).toContain("index.html");
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);
});
