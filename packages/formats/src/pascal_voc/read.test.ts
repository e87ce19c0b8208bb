import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { datasetArbitrary, exportOptionsArbitrary } from "../core/random-dataset";
import { readAll, roundTripExpectations } from "../export-expectation";
import { jpegBytes } from "../image-stub";
import { collectExport, collectedFiles } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource, memorySource } from "../test/fixture";
import { readPascalVoc } from "./read";
import { writePascalVoc } from "./write";

async function read(files: Record<string, string | Uint8Array>, maxJsonBytes?: number) {
  const result = await readPascalVoc(memoryArchive(files), { maxJsonBytes });
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

const byPath = (a: { path: string }, b: { path: string }) =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

const voc = (body: string) => `<annotation>\n${body}\n</annotation>\n`;

// Shaped like datumaro's tests/assets/voc_dataset/voc_dataset2: a custom labelmap with a
// background entry, an item named "@" and float coordinates such as "1.0".
const DATUMARO_VOC2 = {
  "labelmap.txt":
    "# label:color_rgb:parts:actions\nbackground:0,0,0::\nlabel_1:1,2,3::\nlabel_2:3,4,5::\n",
  "ImageSets/Main/train.txt": "a\n@\n",
  "Annotations/a.xml": voc(`  <folder>VOC</folder>
  <filename>a.jpg</filename>
  <size><width>20</width><height>10</height><depth>3</depth></size>
  <object>
    <name>label_1</name>
    <bndbox><xmin>1.0</xmin><ymin>2.0</ymin><xmax>3.0</xmax><ymax>4.0</ymax></bndbox>
  </object>`),
  "Annotations/@.xml": voc(`  <filename>@.jpg</filename>
  <size><width>5</width><height>5</height><depth>3</depth></size>
  <object>
    <name>label_2</name>
    <difficult>1</difficult>
    <pose>Frontal</pose>
    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>
    <attributes><attribute><name>kind</name><value>spare</value></attribute></attributes>
  </object>`),
  "JPEGImages/a.jpg": "a",
};

// Shaped like datitran/raccoon_dataset annotations/raccoon-1.xml (LabelImg): tabs, an absolute
// <path>, a <filename> whose extension differs from the image actually shipped.
const RACCOON = `<annotation verified="yes">
\t<folder>images</folder>
\t<filename>raccoon-1.png</filename>
\t<path>/Users/someone/Desktop/raccoon/images/raccoon-1.png</path>
\t<source>
\t\t<database>Unknown</database>
\t</source>
\t<size>
\t\t<width>650</width>
\t\t<height>417</height>
\t\t<depth>3</depth>
\t</size>
\t<segmented>0</segmented>
\t<object>
\t\t<name>raccoon</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>0</truncated>
\t\t<difficult>0</difficult>
\t\t<bndbox>
\t\t\t<xmin>81</xmin>
\t\t\t<ymin>88</ymin>
\t\t\t<xmax>522</xmax>
\t\t\t<ymax>408</ymax>
\t\t</bndbox>
\t</object>
</annotation>
`;

describe("pascal_voc reader", () => {
  it("reads back the fixture export: devkit boxes inverted exactly, polygons as boxes, splits kept", async () => {
    const out = await collectExport(writePascalVoc, fixtureSource());
    const result = await read(collectedFiles(out));
    expect(result.problems).toEqual([]);
    const expected = roundTripExpectations.pascal_voc(
      fixtureImages,
      fixtureClasses,
      fixtureSource().options,
    );
    expect(result.classes).toEqual(expected.classes);
    expect(result.images.map((i) => i.image).sort(byPath)).toEqual(expected.images);
    expect(result.images.every((i) => i.file === `JPEGImages/${i.image.path}`)).toBe(true);
    // The border-touching and the clipped box come back exactly.
    const street = result.images.find((i) => i.image.path === "batch1/street.jpg")!.image;
    expect(street.annotations[2]).toMatchObject({ bbox: { x: 540, y: 380, w: 100, h: 100 } });
    const street2 = result.images.find((i) => i.image.path === "batch2/street.jpg")!.image;
    expect(street2.annotations[0]).toMatchObject({ bbox: { x: 0, y: 500, w: 90, h: 100 } });
  });

  it("reads a datumaro-style tree: labelmap order and colors, the '@' id, float coordinates, flags", async () => {
    const result = await read(DATUMARO_VOC2);
    expect(result.problems).toEqual([]);
    expect(result.classes.map((c) => [c.name, c.color])).toEqual([
      ["background", "#000000"],
      ["label_1", "#010203"],
      ["label_2", "#030405"],
    ]);
    expect(result.images.map((i) => [i.image.path, i.file, i.image.split])).toEqual([
      ["a.jpg", "JPEGImages/a.jpg", "train"],
      ["@.jpg", null, "train"],
    ]);
    expect(result.images[0]!.image.annotations[0]!).toMatchObject({
      type: "bbox",
      bbox: { x: 0, y: 1, w: 3, h: 3 },
    });
    expect(result.images[1]!.image.annotations[0]!).toMatchObject({
      bbox: { x: 0, y: 0, w: 5, h: 5 },
      attributes: { kind: "spare", difficult: true, pose: "Frontal" },
    });
  });

  it("reads a LabelImg file without labelmap or ImageSets, finding the image by id and saying what it assumed", async () => {
    const result = await read({
      "Annotations/raccoon-1.xml": RACCOON,
      "JPEGImages/raccoon-1.jpg": "x",
    });
    expect(result.classes.map((c) => c.name)).toEqual(["raccoon"]);
    expect(result.images).toEqual([
      {
        file: "JPEGImages/raccoon-1.jpg",
        image: expect.objectContaining({
          path: "raccoon-1.jpg",
          width: 650,
          height: 417,
          annotations: [
            expect.objectContaining({
              class_name: "raccoon",
              bbox: { x: 80, y: 87, w: 442, h: 321 },
            }),
          ],
        }),
      },
    ]);
    expect(result.problems.map((p) => p.file)).toEqual(["ImageSets/Main", "labelmap.txt"]);
  });

  it("reports what it leaves out: unknown names, bad boxes, listed ids without XML, unlisted XML", async () => {
    const result = await read({
      "labelmap.txt": "# label:color_rgb:parts:actions\ncar:1,2,3::\nbroken line\n",
      "ImageSets/Main/val.txt": "a\nghost\n",
      "Annotations/a.xml": voc(`<size><width>10</width><height>10</height></size>
<object><name>truck</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>
<object><name>car</name><bndbox><xmin>1</xmin><ymin>x</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>
<object><name>car</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>
<object><name>car</name><part><name>head</name></part><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>1</xmax><ymax>1</ymax></bndbox></object>`),
      "Annotations/b.xml": voc("<size><width>4</width><height>4</height></size>"),
    });
    expect(
      result.images.map((i) => [i.image.path, i.image.split, i.image.annotations.length]),
    ).toEqual([
      ["a.jpg", "val", 1],
      ["b.jpg", null, 0],
    ]);
    expect(result.images[0]!.image.annotations[0]!).toMatchObject({
      bbox: { x: 0, y: 0, w: 1, h: 1 },
    });
    expect(result.problems.map((p) => [p.file, p.line, p.reason])).toEqual([
      ["ImageSets/Main/val.txt", 2, '"ghost" is listed but there is no Annotations/ghost.xml'],
      [
        "Annotations/b.xml",
        null,
        "not listed in any ImageSets/Main/*.txt; imported without a split",
      ],
      ["labelmap.txt", 3, "line not understood (expected name:r,g,b:parts:actions)"],
      ["Annotations/a.xml", 3, 'object class "truck" is not in labelmap.txt; not imported'],
      [
        "Annotations/a.xml",
        4,
        'object "car" needs a <bndbox> with numeric xmin, ymin, xmax, ymax; not imported',
      ],
      ["Annotations/a.xml", 5, 'object "car" not imported: box width must be greater than 0'],
      ["Annotations/a.xml", 6, "object parts (VOC layout) are not imported"],
    ]);
  });

  it("reads class names holding ':' or starting with '#' from the last three labelmap fields", async () => {
    const out = await collectExport(
      writePascalVoc,
      memorySource(
        [],
        [
          fixtureClasses[0]!,
          { ...fixtureClasses[1]!, name: "a:b::c" },
          { ...fixtureClasses[3]!, name: "#x" },
        ],
        {
          status_filter: "all",
        },
      ),
    );
    const result = await read(collectedFiles(out));
    expect(result.classes.map((c) => c.name)).toEqual(["car", "a:b::c", "#x"]);
    expect(result.problems).toEqual([]);
  });

  it("measures an image whose <size> is missing, upright after EXIF rotation", async () => {
    const result = await read({
      "Annotations/p.xml": voc("<filename>p.jpg</filename>"),
      "JPEGImages/p.jpg": jpegBytes(40, 30, 6),
      "Annotations/q.xml": voc(
        "<filename>q.jpg</filename><size><width>0</width><height>3</height></size>",
      ),
    });
    expect(result.images.map((i) => [i.image.path, i.image.width, i.image.height])).toEqual([
      ["p.jpg", 30, 40],
    ]);
    expect(result.problems.map((p) => [p.file, p.reason])).toContainEqual([
      "Annotations/q.xml",
      "no valid <size> (no image file to measure); not imported",
    ]);
  });

  it("refuses entity declarations, malformed and oversized XML per file, importing the others", async () => {
    const ok = voc("<size><width>4</width><height>4</height></size>");
    const result = await read(
      {
        "Annotations/a.xml": `<!DOCTYPE a [<!ENTITY x "y">]><annotation>&x;</annotation>`,
        "Annotations/b.xml": "<annotation><size>",
        "Annotations/c.xml": ok + " ".repeat(600),
        "Annotations/d.xml": ok,
        "Annotations/e.xml": "<annotations/>",
      },
      500,
    );
    expect(result.images.map((i) => i.image.path)).toEqual(["d.jpg"]);
    expect(result.problems.map((p) => [p.file, p.reason.replace(/:.*/, "")])).toEqual([
      ["ImageSets/Main", "no ImageSets/Main/*.txt lists"],
      ["labelmap.txt", "no labelmap.txt"],
      ["Annotations/a.xml", "DOCTYPE declarations are refused (they can declare entities)"],
      ["Annotations/b.xml", "not well-formed XML"],
      ["Annotations/c.xml", "cannot read file"],
      ["Annotations/e.xml", "root element is <annotations>, not <annotation>; not imported"],
    ]);
  });

  it("gives back any valid dataset a writer was given, minus the documented losses, with no problems", async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArbitrary.chain((d) => fc.tuple(fc.constant(d), exportOptionsArbitrary(d.classes))),
        async ([dataset, options]) => {
          const out = await collectExport(
            writePascalVoc,
            memorySource(dataset.images, dataset.classes, options),
          );
          const result = await read(collectedFiles(out));
          expect(result.problems).toEqual([]);
          const expected = roundTripExpectations.pascal_voc(
            dataset.images,
            dataset.classes,
            options,
          );
          expect(result.classes).toEqual(expected.classes);
          expect(result.images.map((i) => i.image).sort(byPath)).toEqual(expected.images);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never throws on random or mutated annotation files and lists", async () => {
    const out = await collectExport(writePascalVoc, fixtureSource({ include_images: false }));
    const files = collectedFiles(out);
    const names = Object.keys(files);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.nat(2000), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.uint8Array({ maxLength: 100 }),
        async (name, edits, noise) => {
          const original = new TextEncoder().encode(files[name]!);
          const mutated = original.length ? original.slice() : noise;
          for (const [at, value] of edits) if (mutated.length) mutated[at % mutated.length] = value;
          const result = await read({ ...files, [name]: mutated, "Annotations/noise.xml": noise });
          expect(result.problems.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 120 },
    );
  });
});
