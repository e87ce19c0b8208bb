// `pictograph exports …` with the built CLI against a real server: the flags reach the
// export, waiting ends completed (exit 0), failed (exit 3) or timed out (exit 124), and
// downloads land where asked. Progress shows on a terminal only, never with --json.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_CLI, runBuilt, runProcess } from "../../test/cli-process";
import { solidPng } from "@pictograph/formats/testing";
import { serverEnv, testServer, uniqueName } from "../../test/server";

const env = serverEnv();
const pictograph = (...args: string[]) => runBuilt(args, { env });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-cli-exports-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

type Export = {
  name: string;
  status: string;
  format: string;
  sha256: string;
  size_bytes: number;
} & Record<string, unknown>;

describe("pictograph exports create", () => {
  it("passes every flag to the export and waits until it is completed", async () => {
    const name = uniqueName("cli-yolo");
    const run = await pictograph(
      "exports",
      "create",
      "demo",
      name,
      "--format",
      "yolo",
      "--no-images",
      "--class",
      "car",
      "--class",
      "traffic light",
      "--status",
      "all",
      "--poll-interval",
      "0.2",
      "--json",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      dataset_name: "demo",
      name,
      format: "yolo",
      include_images: false,
      class_filter: ["car", "traffic light"],
      status_filter: "all",
      status: "completed",
      image_count: 36,
    });
    // No progress bar without a terminal, and nothing else on stderr either.
    expect(run.stderr).toBe("");
  });

  it("prints the export as fields without --json", async () => {
    const name = uniqueName("cli-fields");
    const run = await pictograph(
      "exports",
      "create",
      "demo",
      name,
      "--format",
      "csv",
      "--poll-interval",
      "0.2",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `\\nname +${name}\\nformat +csv\\ninclude_images +true\\nclass_filter +all classes\\nstatus_filter +complete\\nstatus +completed\\nprogress +100%\\nimages +25\\n`,
      ),
    );
  });

  it("--no-wait returns the pending export; wait waits for it", async () => {
    const name = uniqueName("cli-nowait");
    const created = await pictograph("exports", "create", "demo", name, "--no-wait", "--json");
    expect(created.code).toBe(0);
    expect(["pending", "processing"]).toContain((JSON.parse(created.stdout) as Export).status);
    const waited = await pictograph(
      "exports",
      "wait",
      "demo",
      name,
      "--poll-interval",
      "0.2",
      "--json",
    );
    expect(waited.code).toBe(0);
    expect((JSON.parse(waited.stdout) as Export).status).toBe("completed");
  });

  it("exits 124 when the wait runs out, saying how to wait again; the export keeps building", async () => {
    const name = uniqueName("cli-timeout");
    const run = await pictograph(
      "exports",
      "create",
      "demo",
      name,
      "--format",
      "coco",
      "--timeout",
      "0",
    );
    expect(run.code).toBe(124);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: export "${name}" of dataset "demo" is still (pending|processing) \\(\\d+%\\) after [\\d.]+ s; it keeps building: wait again or get it later; wait again with: pictograph exports wait demo ${name}\\n$`,
      ),
    );
    const waited = await pictograph(
      "exports",
      "wait",
      "demo",
      name,
      "--poll-interval",
      "0.2",
      "--json",
    );
    expect((JSON.parse(waited.stdout) as Export).status).toBe("completed");
  });

  it("exits 3 when the export fails", async () => {
    const dataset = uniqueName("cli-broken");
    await pictograph("datasets", "create", dataset);
    const image = join(dir, "lost.png");
    await writeFile(image, solidPng(5, 5, [1, 2, 3]));
    expect(
      (await pictograph("images", "upload", dataset, image, "--status", "complete")).code,
    ).toBe(0);
    const id = (
      JSON.parse((await pictograph("datasets", "get", dataset, "--json")).stdout) as { id: string }
    ).id;
    const folder = join(testServer().dataDir, "storage", "images", id);
    for (const file of await readdir(folder)) await rm(join(folder, file));

    const run = await pictograph(
      "exports",
      "create",
      dataset,
      "with-images",
      "--poll-interval",
      "0.2",
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(`^error: export "with-images" of dataset "${dataset}" failed: .*lost\\.png.*\\n$`),
    );
  });

  it("refuses bad flags before sending anything (exit 2), and the server's refusals too", async () => {
    expect(
      await pictograph("exports", "create", "demo", "x", "--format", "tfrecord"),
    ).toMatchObject({
      code: 2,
      stderr:
        'error: --format must be one of: pictograph, coco, yolo, cvat, pascal_voc, labelme, csv (got "tfrecord")\n',
    });
    expect((await pictograph("exports", "create", "demo", "x", "--status", "done")).code).toBe(2);
    expect((await pictograph("exports", "create", "demo", "x", "--timeout", "soon")).code).toBe(2);
    const unknownClass = await pictograph(
      "exports",
      "create",
      "demo",
      uniqueName("x"),
      "--class",
      "truck",
    );
    expect(unknownClass.code).toBe(2);
    expect(unknownClass.stderr).toMatch(
      /^error: class_filter names "truck", not a class of dataset "demo"/,
    );
    const missing = await pictograph("exports", "create", "nope", "x");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: dataset "nope" not found \(HTTP 404/);
  });

  it("shows a progress bar on a terminal, and none with --json", async () => {
    const envs = Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join(" ");
    // `script` runs the command on a pseudo-terminal and copies what it shows.
    const onTerminal = (name: string, extra = "") =>
      runProcess("script", [
        "-qec",
        `env ${envs} ${process.execPath} ${BUILT_CLI} exports create demo ${name} --format labelme --poll-interval 0.1${extra}`,
        "/dev/null",
      ]);
    const name = uniqueName("cli-tty");
    const shown = await onTerminal(name);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`export ${name} \\[.*\\] 100% \\| 100/100 %`));
    const quiet = await onTerminal(uniqueName("cli-tty-json"), " --json");
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/\[[█░]+\]/);
    expect(quiet.stdout).toMatch(/"status": "completed"/);
  });
});

describe("pictograph exports list, get, download, delete", () => {
  let exp: Export;

  beforeAll(async () => {
    const run = await pictograph(
      "exports",
      "create",
      "demo",
      uniqueName("cli-dl"),
      "--status",
      "all",
      "--poll-interval",
      "0.2",
      "--json",
    );
    exp = JSON.parse(run.stdout) as Export;
  });

  it("lists exports as a table or a JSON array, filtered by dataset and status", async () => {
    const json = await pictograph(
      "exports",
      "list",
      "--dataset",
      "demo",
      "--status",
      "completed",
      "--json",
    );
    const all = JSON.parse(json.stdout) as Export[];
    expect(all.map((e) => e.name)).toContain(exp.name);
    expect(all.every((e) => e.status === "completed" && e.dataset_name === "demo")).toBe(true);
    const limited = await pictograph("exports", "list", "--limit", "1", "--json");
    expect(JSON.parse(limited.stdout)).toHaveLength(1);
    const table = await pictograph("exports", "list", "--dataset", "demo");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^DATASET +NAME +FORMAT +STATUS +PROGRESS +IMAGES +ANNOTATIONS +SIZE +CREATED$/,
    );
    expect(table.stdout).toMatch(
      new RegExp(`\\ndemo +${exp.name} +pictograph +completed +100% +36 `),
    );
  });

  it("get prints the whole export with --json, download URL included", async () => {
    const run = await pictograph("exports", "get", "demo", exp.name, "--json");
    expect(JSON.parse(run.stdout)).toMatchObject({
      id: exp.id,
      download_url: expect.stringMatching(/^http/),
    });
  });

  it("downloads to -o, into a folder given as -o, or to <dataset>-<name>-<format>.zip here", async () => {
    const sha = async (path: string) =>
      createHash("sha256")
        .update(await readFile(path))
        .digest("hex");
    const file = join(dir, "out.zip");
    const named = await pictograph("exports", "download", "demo", exp.name, "-o", file);
    expect(named).toMatchObject({ code: 0, stdout: "" });
    expect(named.stderr).toMatch(new RegExp(`^saved ${file} \\(\\d+\\.\\d KiB\\)\\n$`));
    expect(await sha(file)).toBe(exp.sha256);

    const folder = await mkdtemp(join(dir, "folder-"));
    const intoFolder = await pictograph(
      "exports",
      "download",
      "demo",
      exp.name,
      "-o",
      folder,
      "--json",
    );
    const expected = join(folder, `demo-${exp.name}-pictograph.zip`);
    expect(JSON.parse(intoFolder.stdout)).toEqual({ path: expected, size_bytes: exp.size_bytes });
    expect(await sha(expected)).toBe(exp.sha256);

    const cwd = await mkdtemp(join(dir, "cwd-"));
    const here = await runBuilt(["exports", "download", "demo", exp.name], { env, cwd });
    expect(here.code).toBe(0);
    expect(await readdir(cwd)).toEqual([`demo-${exp.name}-pictograph.zip`]);
  });

  it("delete removes it; then get and download fail with exit 1", async () => {
    const deleted = await pictograph("exports", "delete", "demo", exp.name);
    expect(deleted).toMatchObject({
      code: 0,
      stdout: "",
      stderr: `deleted export "${exp.name}" of dataset "demo"\n`,
    });
    expect((await pictograph("exports", "get", "demo", exp.name)).code).toBe(1);
    const output = join(dir, "deleted.zip");
    expect((await pictograph("exports", "download", "demo", exp.name, "-o", output)).code).toBe(1);
    expect(existsSync(output)).toBe(false);
  });
});
