// `pictograph images upload` with the built CLI against a real server: folders keep their
// layout, files already there (same path and SHA-256) are skipped, so a run that failed
// part-way is finished by running it again.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBuilt } from "../../test/cli-process";
import { solidPng } from "@pictograph/formats/testing";
import { serverEnv, uniqueName } from "../../test/server";

const env = serverEnv();
const pictograph = (...args: string[]) => runBuilt(args, { env });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-cli-images-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Outcome = {
  file: string;
  path: string;
  result: string;
  sha256: string | null;
  error?: string;
};
type Summary = {
  dataset: string;
  uploaded: number;
  skipped: number;
  failed: number;
  files: Outcome[];
};
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("pictograph images upload", () => {
  it("uploads folders and files, skips what is already there, and re-uploads what changed", async () => {
    const dataset = uniqueName("cli-img");
    await pictograph("datasets", "create", dataset);
    const folder = join(dir, "photos");
    await mkdir(join(folder, "night"), { recursive: true });
    await mkdir(join(folder, ".thumbs"));
    const red = solidPng(6, 4, [255, 0, 0]);
    await writeFile(join(folder, "red.png"), red);
    await writeFile(join(folder, "night", "blue.png"), solidPng(3, 3, [0, 0, 255]));
    await writeFile(join(folder, "night", "notes.txt"), "not an image");
    await writeFile(join(folder, ".thumbs", "red.png"), red);
    const single = join(dir, "green.png");
    await writeFile(single, solidPng(2, 2, [0, 255, 0]));

    const first = await pictograph(
      "images",
      "upload",
      dataset,
      folder,
      single,
      "--status",
      "complete",
      "--split",
      "train",
      "--json",
    );
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as Summary;
    expect(summary).toMatchObject({ dataset, uploaded: 3, skipped: 0, failed: 0 });
    expect(summary.files.map((f) => [f.path, f.result])).toEqual([
      ["green.png", "uploaded"],
      ["night/blue.png", "uploaded"],
      ["red.png", "uploaded"],
    ]);
    expect(summary.files[2]!.sha256).toBe(sha256(red));
    const shown = JSON.parse((await pictograph("datasets", "get", dataset, "--json")).stdout) as {
      image_counts: object;
    };
    expect(shown.image_counts).toEqual({ total: 3, new: 0, in_progress: 0, complete: 3 });

    const again = await pictograph("images", "upload", dataset, folder, single);
    expect(again).toMatchObject({ code: 0, stdout: "" });
    expect(again.stderr).toBe("uploaded 0 (0 B), skipped 3 already there, failed 0\n");

    await writeFile(join(folder, "red.png"), solidPng(7, 4, [200, 0, 0]));
    const changed = JSON.parse(
      (await pictograph("images", "upload", dataset, folder, "--json")).stdout,
    ) as Summary;
    expect(changed.files.map((f) => [f.path, f.result])).toEqual([
      ["night/blue.png", "skipped"],
      ["red.png", "uploaded"],
    ]);
  });

  it("reports a file the server refuses, exits 1, and a second run finishes the rest", async () => {
    const dataset = uniqueName("cli-resume");
    await pictograph("datasets", "create", dataset);
    const folder = join(dir, "mixed");
    await mkdir(folder);
    const images = Array.from({ length: 6 }, (_, i) => solidPng(2 + i, 2, [i * 40, 10, 10]));
    for (const [i, bytes] of images.entries()) await writeFile(join(folder, `img-${i}.png`), bytes);
    await writeFile(join(folder, "broken.png"), "this is not a PNG");

    const first = await pictograph(
      "images",
      "upload",
      dataset,
      folder,
      "--concurrency",
      "3",
      "--prefix",
      "batch1",
    );
    expect(first.code).toBe(1);
    expect(first.stdout).toBe("");
    const lines = first.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^error: .*broken\.png: the file is not a supported image/);
    expect(lines[1]).toMatch(/^uploaded 6 \(.+\), skipped 0 already there, failed 1$/);
    expect(lines[2]).toBe(
      "error: 1 of 7 files failed to upload; run the same command again to retry them (files already uploaded are skipped)",
    );

    await writeFile(join(folder, "broken.png"), solidPng(9, 9, [9, 9, 9]));
    const second = JSON.parse(
      (await pictograph("images", "upload", dataset, folder, "--prefix", "batch1", "--json"))
        .stdout,
    ) as Summary;
    expect(second).toMatchObject({ uploaded: 1, skipped: 6, failed: 0 });
    expect(second.files.find((f) => f.result === "uploaded")!.path).toBe("batch1/broken.png");
  });

  it("refuses what cannot be uploaded before sending anything (exit 2)", async () => {
    const missing = await pictograph("images", "upload", "demo", join(dir, "nowhere"));
    expect(missing).toMatchObject({
      code: 2,
      stderr: `error: ${join(dir, "nowhere")}: no such file or folder\n`,
    });
    const empty = await mkdtemp(join(dir, "empty-"));
    expect((await pictograph("images", "upload", "demo", empty)).stderr).toBe(
      `error: no image files found in ${empty}\n`,
    );
    const a = join(dir, "a");
    const b = join(dir, "b");
    await mkdir(a);
    await mkdir(b);
    await writeFile(join(a, "same.png"), solidPng(1, 1, [0, 0, 0]));
    await writeFile(join(b, "same.png"), solidPng(1, 1, [1, 1, 1]));
    const clash = await pictograph("images", "upload", "demo", a, b);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/would both be uploaded as "same\.png"; use --prefix/);
    expect((await pictograph("images", "upload", "demo", a, "--split", "holdout")).code).toBe(2);
  });

  it("a dataset that does not exist stops the upload (exit 1)", async () => {
    const file = join(dir, "one.png");
    await writeFile(file, solidPng(1, 1, [5, 5, 5]));
    const run = await pictograph("images", "upload", "no-such-dataset", file);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: dataset "no-such-dataset" not found \(HTTP 404/);
  });
});
