// `pictograph convert` as a user runs it: a real process on real ZIPs and directories, read
// back with the formats' own readers and checked with the real `unzip`.
import { getFormat, openArchive } from "@pictograph/formats";
import {
  fixtureClasses,
  fixtureImages,
  importDifferences,
  readAll,
  roundTripExpectations,
  stubImageBytes,
  writeFilesZip,
  writeFixtureZip,
} from "@pictograph/formats/testing";
import { FORMATS, type ExportOptions, type Format } from "@pictograph/schema";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, runProcess, type CliRun } from "../../test/cli-process";

let dir: string;
/** The fixture as a pictograph export with its images: every test's input. */
let fixtureZip: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pictograph-convert-"));
  fixtureZip = join(dir, "fixture.zip");
  await writeFixtureZip(fixtureZip, { format: "pictograph", include_images: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const everything = { class_filter: null, status_filter: "all", include_images: true } as const;
const fixtureByPath = new Map(fixtureImages.map((image) => [image.path, image]));

/** What a format's reader makes of a ZIP or directory, with the bytes of each image file. */
async function readExport(path: string, format: Format) {
  const archive = await openArchive(path);
  try {
    const result = await getFormat(format).read(archive);
    const imported = await readAll(result);
    const bytes = new Map<string, number[]>();
    for (const { image, file } of imported)
      if (file) bytes.set(image.path, Array.from(await archive.read(file)));
    return {
      classes: result.classes,
      problems: [...archive.problems, ...result.problems],
      images: imported.map((i) => i.image),
      bytes,
    };
  } finally {
    await archive.close();
  }
}

/** Every image came through with exactly the bytes of the fixture's image file. */
function expectImagesCarried(read: Awaited<ReturnType<typeof readExport>>) {
  expect(read.images.length).toBeGreaterThan(0);
  for (const image of read.images)
    expect(read.bytes.get(image.path), image.path).toEqual(
      Array.from(stubImageBytes(fixtureByPath.get(image.path)!)),
    );
}

async function expectValidZip(path: string) {
  const test = await runProcess("unzip", ["-t", path]);
  expect(test.code, test.stdout + test.stderr).toBe(0);
  expect(test.stdout).toMatch(/No errors detected/);
}

async function zipMembers(path: string): Promise<string[]> {
  const list = await runProcess("unzip", ["-Z1", path]);
  expect(list.code).toBe(0);
  return list.stdout.split("\n").filter(Boolean);
}

/** The reasons of the `problem:` lines a run printed on stderr. */
const problemLines = (run: CliRun) =>
  run.stderr.split("\n").filter((line) => line.startsWith("problem: "));

/** The run failed with one `error:` line on stderr, nothing on stdout, and left no file. */
async function expectRefused(run: CliRun, code: number, output: string, message: RegExp) {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stdout).toBe("");
  const errors = run.stderr.split("\n").filter((line) => line.startsWith("error: "));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(existsSync(output)).toBe(false);
  expect(existsSync(`${output}.part`)).toBe(false);
}

describe.each(FORMATS.filter((format) => format !== "pictograph"))(
  "convert pictograph → %s → pictograph",
  (format) => {
    it("gives the fixture back with the documented losses and nothing else, images carried", async () => {
      const there = join(dir, `${format}.zip`);
      const back = join(dir, `${format}-back.zip`);
      const expected = roundTripExpectations[format](fixtureImages, fixtureClasses, everything);

      const out = await runCli(
        ["convert", fixtureZip, "--from", "pictograph", "--to", format, "-o", there],
        dir,
      );
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toBe("");
      expect(out.stderr.startsWith(`wrote ${there}: 5 images, `)).toBe(true);

      // A reader that reports a documented loss (COCO's RLE masks) needs --lenient to go on.
      const lenient = expected.problems.length ? ["--lenient"] : [];
      const home = await runCli(
        ["convert", there, "--from", format, "--to", "pictograph", "-o", back, ...lenient],
        dir,
      );
      expect(home.code, home.stderr).toBe(0);
      expect(problemLines(home)).toEqual(
        expected.problems.map((reason) => expect.stringContaining(reason)),
      );

      const read = await readExport(back, "pictograph");
      expect(read.problems).toEqual([]);
      expect(read.classes).toEqual(expected.classes);
      expect(importDifferences(read.images, expected)).toEqual([]);
      expectImagesCarried(await readExport(there, format));
      expectImagesCarried(read);
      await expectValidZip(there);
      await expectValidZip(back);
    });
  },
);

describe("convert", () => {
  it("reads an unpacked directory and, with --json, prints one JSON summary on stdout only", async () => {
    const unpacked = join(dir, "unpacked");
    const unzip = await runProcess("unzip", ["-q", fixtureZip, "-d", unpacked]);
    expect(unzip.code, unzip.stderr).toBe(0);
    const output = join(dir, "from-directory.zip");

    const run = await runCli([
      "convert",
      unpacked,
      "--from",
      "pictograph",
      "--to",
      "pictograph",
      "-o",
      output,
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      output,
      from: "pictograph",
      to: "pictograph",
      images: 5,
      annotations: 11,
      image_files: 5,
      bytes: (await stat(output)).size,
      skipped: {},
      problems: 0,
    });

    const read = await readExport(output, "pictograph");
    const expected = roundTripExpectations.pictograph(fixtureImages, fixtureClasses, everything);
    expect(read.classes).toEqual(expected.classes);
    expect(importDifferences(read.images, expected)).toEqual([]);
    expectImagesCarried(read);
    await expectValidZip(output);
  });

  it("writes no image members with --no-images, though the input has them", async () => {
    const output = join(dir, "no-images.zip");
    const run = await runCli([
      "convert",
      fixtureZip,
      "--from",
      "pictograph",
      "--to",
      "cvat",
      "-o",
      output,
      "--no-images",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(await zipMembers(output)).toEqual(["annotations.xml", "README.txt"]);
    const read = await readExport(output, "cvat");
    expect(read.images.map((i) => i.path).sort()).toEqual([...fixtureByPath.keys()].sort());
    expect(read.bytes.size).toBe(0);
  });

  it.each([[["car"]], [["person", "car"]]])(
    "keeps only --class %j, in dataset order and re-indexed (D1)",
    async (classes) => {
      const output = join(dir, `classes-${classes.join("-")}.zip`);
      const flags = classes.flatMap((name) => ["--class", name]);
      const run = await runCli([
        "convert",
        fixtureZip,
        "--from",
        "pictograph",
        "--to",
        "yolo",
        "-o",
        output,
        ...flags,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const options = { ...everything, class_filter: classes };
      const expected = roundTripExpectations.yolo(fixtureImages, fixtureClasses, options);
      const read = await readExport(output, "yolo");
      expect(read.problems).toEqual([]);
      expect(read.classes.map((c) => c.name)).toEqual(
        fixtureClasses.map((c) => c.name).filter((name) => classes.includes(name)),
      );
      expect(importDifferences(read.images, expected)).toEqual([]);
      // Person is class 2 of the dataset and class 1 of this export.
      if (classes.includes("person")) {
        const label = await runProcess("unzip", ["-p", output, "labels/val/batch2/street.txt"]);
        expect(
          label.stdout
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split(" ")[0]),
        ).toEqual(["0", "1"]);
      }
    },
  );

  it("keeps only images of --status, and lays the export out for those alone", async () => {
    const output = join(dir, "status-new.zip");
    const run = await runCli([
      "convert",
      fixtureZip,
      "--from",
      "pictograph",
      "--to",
      "yolo",
      "-o",
      output,
      "--status",
      "new",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const options: Pick<ExportOptions, "class_filter" | "status_filter" | "include_images"> = {
      ...everything,
      status_filter: "new",
    };
    const expected = roundTripExpectations.yolo(fixtureImages, fixtureClasses, options);
    const read = await readExport(output, "yolo");
    expect(read.problems).toEqual([]);
    expect(importDifferences(read.images, expected)).toEqual([]);
    // One image without a split: data.yaml must not name a val folder the ZIP does not have.
    const yaml = await runProcess("unzip", ["-p", output, "data.yaml"]);
    expect(yaml.stdout).not.toMatch(/^val: images\/val$/m);
  });

  it.each([
    ["--from", ["--from", "nope", "--to", "coco"]],
    ["--to", ["--from", "pictograph", "--to", "Coco"]],
  ])("refuses an unknown %s format with exit 2, naming the valid ones", async (_flag, args) => {
    const output = join(dir, "unknown-format.zip");
    const run = await runCli(["convert", fixtureZip, ...args, "-o", output]);
    await expectRefused(
      run,
      2,
      output,
      /^error: unknown format "(nope|Coco)": use one of pictograph, coco, yolo, cvat, pascal_voc, labelme, csv$/,
    );
  });

  it("refuses an unknown --class or --status with exit 2, naming what exists", async () => {
    const output = join(dir, "unknown-class.zip");
    const base = ["convert", fixtureZip, "--from", "pictograph", "--to", "coco", "-o", output];
    await expectRefused(
      await runCli([...base, "--class", "car", "--class", "cars"]),
      2,
      output,
      /^error: --class "cars" is not a class of .*fixture\.zip \(classes: "car", .*"unused"\)$/,
    );
    await expectRefused(
      await runCli([...base, "--status", "done"]),
      2,
      output,
      /^error: unknown status "done": use one of all, new, in_progress, complete$/,
    );
  });

  it("refuses a missing or non-ZIP input with exit 1, leaving no output or .part", async () => {
    const output = join(dir, "not-written.zip");
    const notZip = join(dir, "not-a.zip");
    await writeFile(notZip, "PK but not a ZIP");
    for (const input of [join(dir, "missing.zip"), notZip]) {
      const run = await runCli(["convert", input, "--from", "coco", "--to", "yolo", "-o", output]);
      await expectRefused(run, 1, output, new RegExp(`^error: cannot read ${input}: `));
    }
  });

  it("removes its .part and exits 1 when the finished ZIP cannot be put in place", async () => {
    // The ZIP is written to out.part, then renamed: onto a folder, the rename fails.
    const output = join(dir, "a-folder");
    await mkdir(output);
    const run = await runCli([
      "convert",
      fixtureZip,
      "--from",
      "pictograph",
      "--to",
      "csv",
      "-o",
      output,
    ]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.trim()).toMatch(/^error: cannot write .*a-folder: [^\n]+$/);
    expect(existsSync(`${output}.part`)).toBe(false);
    expect((await stat(output)).isDirectory()).toBe(true);
  });

  it("says so when the input is not in the --from format at all", async () => {
    const output = join(dir, "wrong-from.zip");
    const run = await runCli([
      "convert",
      fixtureZip,
      "--from",
      "coco",
      "--to",
      "csv",
      "-o",
      output,
    ]);
    expect(problemLines(run)).toEqual([
      expect.stringMatching(/^problem: no COCO annotation file found \(expected /),
    ]);
    await expectRefused(run, 1, output, /^error: 1 problem\(s\) reading .* as coco; /);
  });

  describe("an input whose reader reports problems (a COCO annotation on a missing image)", () => {
    let input: string;
    const reason = "annotation refers to image id 999, which is not in images";

    beforeAll(async () => {
      input = join(dir, "broken-coco.zip");
      const coco = {
        images: [{ id: 1, file_name: "a.jpg", width: 10, height: 10 }],
        categories: [{ id: 1, name: "car", supercategory: "" }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2], area: 4, iscrowd: 0 },
          { id: 2, image_id: 999, category_id: 1, bbox: [1, 1, 2, 2], area: 4, iscrowd: 0 },
        ],
      };
      await writeFilesZip(input, { "annotations/instances_default.json": JSON.stringify(coco) });
    });

    it("exits 1 with the problems on stderr and writes nothing", async () => {
      const output = join(dir, "broken-strict.zip");
      const run = await runCli(["convert", input, "--from", "coco", "--to", "csv", "-o", output]);
      expect(problemLines(run)).toEqual([expect.stringContaining(reason)]);
      await expectRefused(
        run,
        1,
        output,
        /^error: 1 problem\(s\) reading .* as coco; .*--lenient$/,
      );
    });

    it("with --lenient, exits 0, still prints the problems and writes what could be read", async () => {
      const output = join(dir, "broken-lenient.zip");
      const run = await runCli([
        "convert",
        input,
        "--from",
        "coco",
        "--to",
        "csv",
        "-o",
        output,
        "--lenient",
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(problemLines(run)).toEqual([expect.stringContaining(reason)]);
      await expectValidZip(output);
      const read = await readExport(output, "csv");
      expect(read.images.map((i) => [i.path, i.annotations.length])).toEqual([["a.jpg", 1]]);
    });
  });

  it("runs from the repository root as `pnpm pictograph convert`", async () => {
    const output = join(dir, "through-pnpm.zip");
    const run = await runProcess(
      "pnpm",
      [
        "pictograph",
        "convert",
        fixtureZip,
        "--from",
        "pictograph",
        "--to",
        "labelme",
        "-o",
        output,
      ],
      REPO_ROOT,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/wrote .*through-pnpm\.zip: 5 images/);
    await expectValidZip(output);
    expect((await readdir(dir)).filter((name) => name.endsWith(".part"))).toEqual([]);
  });
});
