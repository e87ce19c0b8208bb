import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { readAll } from "../export-expectation";
import { pngBytes } from "../image-stub";
import { readCsv } from "./read";

async function read(files: Record<string, string | Uint8Array>) {
  const result = await readCsv(memoryArchive(files));
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

const HEADER = "filename,width,height,class,xmin,ymin,xmax,ymax";

describe("csv reader", () => {
  it("reads a raccoon_dataset-style labels file (CRLF, integer pixels, split from its name)", async () => {
    const { classes, images, problems } = await read({
      "data/train_labels.csv": `${HEADER}\r\nraccoon-17.jpg,259,194,raccoon,95,60,167,118\r\nraccoon-11.jpg,660,432,raccoon,3,1,461,431\r\nraccoon-17.jpg,259,194,raccoon,1,2,50,60\r\n`,
    });
    expect(problems).toEqual([]);
    expect(classes).toEqual([
      { name: "raccoon", color: "#e6194b", attributes: [], keypoints: null },
    ]);
    expect(
      images.map((i) => [
        i.image.path,
        i.image.width,
        i.image.height,
        i.image.split,
        i.image.annotations.length,
      ]),
    ).toEqual([
      ["raccoon-17.jpg", 259, 194, "train", 2],
      ["raccoon-11.jpg", 660, 432, "train", 1],
    ]);
    expect(images[0]!.image.annotations[0]).toMatchObject({
      type: "bbox",
      bbox: { x: 95, y: 60, w: 72, h: 58 },
    });
  });

  it("reads Roboflow's <split>/_annotations.csv with images beside it", async () => {
    const { images, problems } = await read({
      "valid/_annotations.csv": `${HEADER}\n000001.jpg,500,375,helmet,111,144,134,174\n`,
      "valid/000001.jpg": pngBytes(500, 375),
      "valid/000002.jpg": pngBytes(50, 40),
    });
    expect(problems).toEqual([]);
    expect(
      images.map((i) => [i.image.path, i.image.split, i.file, i.image.annotations.length]),
    ).toEqual([
      ["000001.jpg", "val", "valid/000001.jpg", 1],
      ["000002.jpg", null, "valid/000002.jpg", 0],
    ]);
  });

  it("parses quoted commas, doubled quotes and quoted line breaks", async () => {
    const { classes, images, problems } = await read({
      "annotations.csv": `${HEADER}\n"a,b/c ""d"".jpg",10,10,"a&b <c>, ""d""",1,1.5,3.25,4\n"multi\nline.jpg",10,10,x,0,0,1,1\nz.jpg,10,10,x,0,0,1\n`,
    });
    expect(classes.map((c) => c.name)).toEqual(['a&b <c>, "d"', "x"]);
    expect(images.map((i) => i.image.path)).toEqual(['a,b/c "d".jpg']);
    expect(images[0]!.image.annotations[0]).toMatchObject({
      bbox: { x: 1, y: 1.5, w: 2.25, h: 2.5 },
    });
    // The quoted line break is part of row 3; the row after it starts on line 5.
    expect(problems.map((p) => [p.line, p.element, p.reason])).toEqual([
      [5, null, "row not imported: expected 8 fields, found 7"],
      [3, null, "image not imported: image path must not contain control characters"],
    ]);
  });

  it("reports bad rows with their line numbers and keeps the good ones", async () => {
    const text = [
      HEADER,
      "a.jpg,10,10,car,1,1,5,5",
      "a.jpg,10,10,car,1,1,5", // too few fields
      "b.jpg,ten,10,car,1,1,5,5",
      "b.jpg,10,10,car,1,1,,5",
      "b.jpg,10,10,car,5,1,1,5",
      "a.jpg,20,10,car,1,1,5,5",
      'c.jpg,10,10,"car" x,1,1,5,5',
      "c.jpg,10,10, car,1,1,5,5",
      "d.jpg,10,10,car,NaN,1,5,5",
      "e.jpg,10,10,car,1e999,1,5,5",
      '"unterminated,10,10,car,1,1,5,5',
    ].join("\n");
    const { images, problems } = await read({ "annotations.csv": text });
    expect(images.map((i) => [i.image.path, i.image.annotations.length])).toEqual([["a.jpg", 1]]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [8, "row not imported: text after a closing quote"],
      [12, "row not imported: quoted field is not closed before the end of the file"],
      [3, "row not imported: expected 8 fields, found 7"],
      [4, "row not imported: width and height must be whole numbers of pixels"],
      [5, "row not imported: xmin, ymin, xmax and ymax must be numbers"],
      [6, "row not imported: box width must be greater than 0"],
      [7, "row not imported: size 20x10 differs from 10x10 given on line 2"],
      [9, "row not imported: class name must not start or end with white space"],
      [10, "row not imported: xmin, ymin, xmax and ymax must be numbers"],
      [11, "row not imported: xmin, ymin, xmax and ymax must be numbers"],
    ]);
  });

  it("reports a missing column, an empty file and an archive without a CSV", async () => {
    expect(
      (await read({ "annotations.csv": "filename,width,height,label,xmin,ymin,xmax,ymax\n" }))
        .problems,
    ).toEqual([
      {
        file: "annotations.csv",
        line: 1,
        element: null,
        reason:
          "header must name the columns filename,width,height,class,xmin,ymin,xmax,ymax; missing: class",
      },
    ]);
    expect((await read({ "annotations.csv": "" })).problems[0]!.reason).toBe("the CSV is empty");
    expect((await read({ "x.txt": "" })).problems[0]!.reason).toBe(
      "no CSV file found (expected annotations.csv)",
    );
  });

  it("imports images no row names from images/, sized from their bytes", async () => {
    const { images, problems } = await read({
      "annotations.csv": `${HEADER}\nboxed.jpg,10,10,car,1,1,5,5\n`,
      "images/boxed.jpg": pngBytes(10, 10),
      "images/sub/empty.png": pngBytes(32, 24),
      "images/broken.png": "no image",
      "elsewhere/ignored.png": pngBytes(5, 5),
    });
    expect(images.map((i) => [i.image.path, i.image.width, i.image.height, i.file])).toEqual([
      ["boxed.jpg", 10, 10, "images/boxed.jpg"],
      ["sub/empty.png", 32, 24, "images/sub/empty.png"],
    ]);
    expect(problems.map((p) => p.file)).toEqual(["images/broken.png"]);
  });
});
