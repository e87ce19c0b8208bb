// `pictograph import` with the built CLI against a real server: an export of the demo
// dataset, downloaded with the CLI, comes back in as a new dataset.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBuilt } from "../../test/cli-process";
import { serverEnv, uniqueName } from "../../test/server";

const env = serverEnv();
const pictograph = (...args: string[]) => runBuilt(args, { env });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-cli-import-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pictograph import", () => {
  it("imports a downloaded export into a new dataset and prints the report", async () => {
    const name = uniqueName("to-import");
    await pictograph(
      "exports",
      "create",
      "demo",
      name,
      "--format",
      "cvat",
      "--status",
      "all",
      "--poll-interval",
      "0.2",
    );
    const zip = join(dir, "demo-cvat.zip");
    expect((await pictograph("exports", "download", "demo", name, "-o", zip)).code).toBe(0);

    const dataset = uniqueName("imported");
    await pictograph("datasets", "create", dataset);
    const run = await pictograph(
      "import",
      dataset,
      zip,
      "--format",
      "cvat",
      "--poll-interval",
      "0.2",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^id +[0-9a-f-]{36}\\ndataset +${dataset}\\nformat +cvat\\nstatus +completed\\nprogress +100%\\nimages +36\\nannotations +\\d+\\nimage_files +36\\nproblems +\\d+\\n`,
      ),
    );

    // Again, into the same dataset: the same images, whose files the server already holds.
    const json = await pictograph(
      "import",
      dataset,
      zip,
      "--format",
      "cvat",
      "--poll-interval",
      "0.2",
      "--json",
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      dataset_name: dataset,
      status: "completed",
      report: { images: 36 },
    });
    const shown = JSON.parse((await pictograph("datasets", "get", dataset, "--json")).stdout) as {
      image_counts: { total: number };
    };
    expect(shown.image_counts.total).toBe(36);
  });

  it("needs a known --format (exit 2)", async () => {
    const missing = await pictograph("import", "demo", join(dir, "x.zip"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--format <format>' not specified/);
    const unknown = await pictograph("import", "demo", join(dir, "x.zip"), "--format", "kitti");
    expect(unknown).toMatchObject({
      code: 2,
      stderr:
        'error: --format must be one of: pictograph, coco, yolo, cvat, pascal_voc, labelme, csv (got "kitti")\n',
    });
  });

  it("a ZIP that cannot be read is an error (exit 1)", async () => {
    const run = await pictograph("import", "demo", join(dir, "absent.zip"), "--format", "coco");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: ENOENT: no such file or directory, stat '.*absent\.zip'\n$/,
    );
  });
});
