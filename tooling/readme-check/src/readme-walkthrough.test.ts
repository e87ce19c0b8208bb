// The README's curl walk-throughs, run as written against a fresh server: the blocks marked
// `<!-- walkthrough -->` are one shell session, with the server's URL in place of
// localhost:3000 and its data directory as `.pictograph`.
import { REPO_ROOT, startTestServer, type TestServer } from "@pictograph/test-server";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

function walkthroughBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const pattern = /<!-- walkthrough -->\s*```sh\n([\s\S]*?)```/g;
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown))
    blocks.push(match[1]!);
  return blocks;
}

describe("README walk-throughs", () => {
  let server: TestServer;
  let workdir: string;

  beforeAll(async () => {
    server = await startTestServer();
    workdir = mkdtempSync(join(tmpdir(), "pictograph-readme-"));
    symlinkSync(server.dataDir, join(workdir, ".pictograph"));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  it("run as written and show what they say", () => {
    const blocks = walkthroughBlocks(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const script = blocks.join("\n").replaceAll("http://localhost:3000", server.url);
    const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: workdir,
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(run.stderr + server.output()).not.toContain("curl: (");
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    // First walk-through: the demo's counts, a pending export, data.yaml with the two classes.
    expect(out).toContain("complete: 25");
    expect(out).toContain("pending");
    expect(out).toMatch(/nc: 2\nnames:\n {2}0: "car"\n {2}1: "person"/);
    expect(
      readFileSync(join(workdir, "for-yolov8/labels/train/day-west/scene-01.txt"), "utf8"),
    ).toMatch(/^0 0\.\d{6} /);
    // Second: the dataset, the upload, the annotation, the import of 25 images, the listing.
    expect(out).toContain("street");
    expect(out).toContain("image/png");
    expect(out).toContain("car, person, building, lane, traffic light");
    // 25 complete demo images imported (COCO keeps no status: they arrive as new) + the upload.
    expect(out).toMatch(/total: 26, new: 25, in_progress: 0, complete: 1/);
  }, 240_000);
});
