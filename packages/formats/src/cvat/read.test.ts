import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryArchive } from "../archive/memory-archive";
import { datasetArbitrary, exportOptionsArbitrary } from "../core/random-dataset";
import { readAll, roundTripExpectations } from "../export-expectation";
import { pngBytes } from "../image-stub";
import { collectExport, collectedFiles } from "../test/collect";
import { fixtureClasses, fixtureImages, fixtureSource, memorySource } from "../test/fixture";
import { readCvat } from "./read";
import { writeCvat } from "./write";

async function read(files: Record<string, string | Uint8Array>, maxJsonBytes?: number) {
  const result = await readCvat(memoryArchive(files), { maxJsonBytes });
  const images = await readAll(result);
  return { classes: result.classes, images, problems: result.problems };
}

// Shaped like datumaro's tests/assets/cvat_dataset/for_images/export_task/train.xml: a task
// <meta> with checkbox/radio/text/number attributes, space-separated values, a skeleton
// label with sub-labels, shapes with label="" and multi-point <points>.
const DATUMARO_TASK = `<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <z_order>True</z_order>
      <mode>annotation</mode>
      <labels>
        <label>
          <name>label1</name>
          <attributes>
            <attribute><name>a1</name><input_type>checkbox</input_type><default_value>false</default_value><values>false true</values></attribute>
            <attribute><name>a2</name><input_type>radio</input_type><default_value>v1</default_value><values>v1 v2 v3</values></attribute>
            <attribute><name>a3</name><input_type>text</input_type><default_value>0000</default_value><values>0001 0002 0003</values></attribute>
            <attribute><name>a4</name><input_type>number</input_type><default_value>0</default_value><values>2.4 1 -5.6</values></attribute>
          </attributes>
        </label>
        <label><name>label2</name></label>
        <label><name>skeleton</name><color>#0c81b5</color><type>skeleton</type><attributes>
          </attributes><svg>&lt;line x1="1" /&gt;</svg></label>
        <label><name>1</name><color>#d12345</color><type>points</type><attributes>
          </attributes><parent>skeleton</parent></label>
        <label><name>2</name><color>#350dea</color><type>points</type><attributes>
          </attributes><parent>skeleton</parent></label>
      </labels>
    </task>
  </meta>
  <image height="8" id="0" name="img0.jpg" width="8">
    <box label="label1" occluded="1" xbr="4" xtl="0" ybr="4" ytl="2" z_order="1">
      <attribute name="a1">true</attribute>
      <attribute name="a2">v3</attribute>
      <attribute name="a3">0003</attribute>
      <attribute name="a4">2.4</attribute>
    </box>
    <polyline label="" points="1.0,2;3,4;5,6;7,8"/>
    <skeleton label="skeleton" occluded="0" source="manual" points="" rotation="0.00" z_order="0">
      <points label="1" occluded="0" source="manual" outside="1" points="1,1" z_order="0">
      </points>
      <points label="2" occluded="0" source="manual" outside="0" points="2,2" z_order="0">
      </points>
    </skeleton>
  </image>
  <image height="10" id="1" name="img1.jpg" width="10">
    <polygon label="label1" points="1,2;3,4;6,5" z_order="1"/>
    <points label="label2" points="1,2;3,4;5,6" z_order="2"/>
  </image>
</annotations>
`;

// Shaped like datumaro's export_project/annotations.xml: a <project> meta with <subsets>,
// names repeated across subsets, images under images/<Subset>/.
const PROJECT_EXPORT = `<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <project>
      <id>3</id>
      <name>test</name>
      <tasks>
        <task><id>39</id><name>Test</name><size>1</size><subset>Test</subset></task>
        <task><id>37</id><name>train</name><size>1</size><subset>Train</subset></task>
      </tasks>
      <subsets>Train
Test</subsets>
      <labels>
        <label>
          <name>label1</name>
          <attributes>
            <attribute><name>a1</name><input_type>checkbox</input_type><default_value>false</default_value><values>false true</values></attribute>
          </attributes>
        </label>
        <label><name>label2</name></label>
      </labels>
    </project>
    <dumped>2023-01-17 01:38:22.055780+00:00</dumped>
  </meta>
  <image height="8" id="0" name="img0.jpg" subset="Test" task_id="39" width="8">
    <box label="label1" occluded="1" xbr="4" xtl="0" ybr="4" ytl="2" z_order="1">
      <attribute name="a1">true</attribute>
    </box>
  </image>
  <image height="8" id="0" name="img0.jpg" subset="Train" task_id="37" width="8">
    <polyline label="label2" points="1.0,2;3,4;5,6;7,8"/>
  </image>
</annotations>
`;

const meta = (labels: string) =>
  `<?xml version="1.0"?>\n<annotations>\n<version>1.1</version>\n<meta><task><labels>${labels}</labels></task></meta>\n`;

describe("cvat reader", () => {
  it("reads back the fixture export: geometry at 2 decimals, attributes typed, joints; no split, status or confidence", async () => {
    const out = await collectExport(writeCvat, fixtureSource());
    const result = await read(collectedFiles(out));
    expect(result.problems).toEqual([]);
    const expected = roundTripExpectations.cvat(
      fixtureImages,
      fixtureClasses,
      fixtureSource().options,
    );
    expect(result.classes).toEqual(expected.classes);
    expect(result.images).toEqual(
      expected.images.map((image) => ({ image, file: `images/${image.path}` })),
    );
    const person = result.classes.find((c) => c.name === "person");
    expect(person?.keypoints).toEqual(["head", "left_hand", "right_hand"]);
  });

  it("reads a datumaro task export: attribute types, skeleton joints, multi-point <points>; reports unlabeled shapes", async () => {
    const result = await read({ "train.xml": DATUMARO_TASK, "images/train/img1.jpg": "bytes" });
    expect(result.classes.map((c) => [c.name, c.keypoints])).toEqual([
      ["label1", null],
      ["label2", null],
      ["skeleton", ["1", "2"]],
    ]);
    expect(result.classes[0]!.attributes).toEqual([
      { kind: "checkbox", name: "a1", default: false },
      { kind: "select", name: "a2", options: ["v1", "v2", "v3"], default: "v1" },
      { kind: "text", name: "a3", default: "0000" },
      { kind: "number", name: "a4", min: 2.4, max: 1, default: 0 },
    ]);
    const [img0, img1] = result.images;
    expect(img0).toMatchObject({
      file: null,
      image: { path: "img0.jpg", width: 8, height: 8, split: "train" },
    });
    expect(img0!.image.annotations).toEqual([
      {
        type: "bbox",
        class_name: "label1",
        bbox: { x: 0, y: 2, w: 4, h: 2 },
        attributes: { a1: true, a2: "v3", a3: "0003", a4: 2.4 },
        confidence: null,
        occluded: true,
        z_order: 1,
      },
      expect.objectContaining({
        type: "keypoint",
        class_name: "skeleton",
        keypoint: { x: 2, y: 2 },
        joint: "2",
        instance_id: 1,
      }),
    ]);
    expect(img1).toMatchObject({ file: "images/train/img1.jpg" });
    expect(img1!.image.annotations.map((a) => a.type)).toEqual([
      "polygon",
      "keypoint",
      "keypoint",
      "keypoint",
    ]);
    expect(
      img1!.image.annotations.slice(1).map((a) => a.type === "keypoint" && a.instance_id),
    ).toEqual([1, 1, 1]);
    expect(result.problems).toEqual([
      {
        file: "train.xml",
        line: 34,
        element: "polyline",
        reason: 'label "" is not declared in <meta>; shape not imported',
      },
      {
        file: "train.xml",
        line: 35,
        element: "skeleton",
        reason: "1 skeleton point(s) marked outside (not visible) were not imported",
      },
      {
        file: "train.xml",
        line: 44,
        element: "points",
        reason: "<points> with 3 points imported as 3 keypoints of instance 1",
      },
    ]);
  });

  it("reads a CVAT project export: subsets become splits and folders, so repeated names stay apart", async () => {
    const result = await read({
      "annotations.xml": PROJECT_EXPORT,
      "images/Test/img0.jpg": "t",
      "images/Train/img0.jpg": "t",
    });
    expect(result.problems).toEqual([]);
    expect(
      result.images.map((i) => [i.image.path, i.image.split, i.file, i.image.annotations.length]),
    ).toEqual([
      ["Test/img0.jpg", "test", "images/Test/img0.jpg", 1],
      ["Train/img0.jpg", "train", "images/Train/img0.jpg", 1],
    ]);
    expect(result.images[0]!.image.annotations[0]!.attributes).toEqual({ a1: true });
  });

  it("reports labels missing from <meta>, malformed points and bad boxes with their line, keeping the rest", async () => {
    const xml =
      meta("<label><name>car</name></label>") +
      `<image id="0" name="a.jpg" width="10" height="10">
  <box label="truck" xtl="1" ytl="1" xbr="2" ybr="2"/>
  <polygon label="car" points="1,2;3;4,5"/>
  <polyline label="car" points="1,2;NaN,3"/>
  <box label="car" xtl="5" ytl="1" xbr="2" ybr="2"/>
  <box label="car" xtl="1" ytl="1" xbr="1e999" ybr="2"/>
  <points label="car" points="4,4"/>
</image>
</annotations>`;
    const result = await read({ "annotations.xml": xml });
    expect(result.images[0]!.image.annotations).toEqual([
      expect.objectContaining({ type: "keypoint", keypoint: { x: 4, y: 4 } }),
    ]);
    expect(result.problems.map((p) => [p.line, p.element, p.reason])).toEqual([
      [6, "box", 'label "truck" is not declared in <meta>; shape not imported'],
      [7, "polygon", 'malformed points "1,2;3;4,5"; expected x,y;x,y;…'],
      [8, "polyline", 'malformed points "1,2;NaN,3"; expected x,y;x,y;…'],
      [9, "box", "shape not imported: box width must be greater than 0"],
      [10, "box", "box needs numeric xtl, ytl, xbr and ybr; not imported"],
    ]);
  });

  it("refuses a file without <meta>, one with images before <meta>, and one that is not CVAT", async () => {
    const noMeta = await read({
      "annotations.xml": "<annotations><version>1.1</version></annotations>",
    });
    expect(noMeta.problems).toEqual([
      expect.objectContaining({
        file: "annotations.xml",
        reason: expect.stringMatching(/should have a <meta>/),
      }),
    ]);
    const imageFirst = await read({
      "annotations.xml":
        '<annotations><image id="0" name="a.jpg" width="1" height="1"/><meta/></annotations>',
    });
    expect(imageFirst.images).toEqual([]);
    expect(imageFirst.problems[0]?.reason).toMatch(/<image> before <meta>/);
    const voc = await read({
      "annotations.xml": "<annotation><filename>a.jpg</filename></annotation>",
    });
    expect(voc.problems[0]?.reason).toMatch(/root element is <annotation>/);
    expect((await read({})).problems[0]?.reason).toMatch(/no annotations.xml/);
  });

  it("refuses entity declarations and oversized files with a problem instead of reading them", async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;">]><annotations>&l2;</annotations>`;
    const entity = await read({ "annotations.xml": laughs });
    expect(entity.images).toEqual([]);
    expect(entity.problems).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/DOCTYPE/) }),
    ]);
    const big = await read({ "annotations.xml": meta("") + "</annotations>" }, 20);
    expect(big.problems[0]?.reason).toMatch(/larger than 20 bytes/);
  });

  it("stops at a truncated file after yielding the images before the break", async () => {
    const xml =
      meta("<label><name>car</name></label>") +
      '<image id="0" name="a.jpg" width="4" height="4"/>\n<image id="1" name="b.jp';
    const result = await read({ "annotations.xml": xml });
    expect(result.images.map((i) => i.image.path)).toEqual(["a.jpg"]);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 6, reason: expect.stringMatching(/^not well-formed XML/) }),
    ]);
  });

  it("converts rotated boxes to polygons and reports shapes the model cannot hold", async () => {
    const xml =
      meta("<label><name>car</name></label>") +
      `<image id="0" name="a.jpg" width="100" height="100">
  <box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="90"/>
  <mask label="car" rle="1,2" left="0" top="0" width="1" height="3"/>
  <ellipse label="car" cx="5" cy="5" rx="1" ry="2"/>
  <tag label="car"/>
</image>
<track id="0" label="car"/>
</annotations>`;
    const result = await read({ "annotations.xml": xml });
    const polygon = result.images[0]!.image.annotations[0]!;
    expect(polygon.type).toBe("polygon");
    if (polygon.type === "polygon")
      expect(polygon.polygon.paths[0]!.map((p) => [Math.round(p.x), Math.round(p.y)])).toEqual([
        [25, 5],
        [25, 25],
        [15, 25],
        [15, 5],
      ]);
    expect(result.problems.map((p) => p.element)).toEqual([
      "box",
      "mask",
      "ellipse",
      "tag",
      "track",
    ]);
  });

  it("types attribute values by the label's spec and reports values that do not fit", async () => {
    const xml =
      meta(`<label><name>car</name><attributes>
  <attribute><name>n</name><input_type>number</input_type><default_value>0</default_value><values>0\n10\n1</values></attribute>
  <attribute><name>c</name><input_type>checkbox</input_type><default_value>false</default_value><values>false</values></attribute>
  <attribute><name>t</name><input_type>text</input_type><default_value></default_value><values></values></attribute>
</attributes></label>`) +
      `<image id="0" name="a.jpg" width="10" height="10">
  <box label="car" xtl="1" ytl="1" xbr="2" ybr="2"><attribute name="n">abc</attribute><attribute name="c">true</attribute><attribute name="t">12</attribute><attribute name="free">7</attribute></box>
</image></annotations>`;
    const result = await read({ "annotations.xml": xml });
    expect(result.images[0]!.image.annotations[0]!.attributes).toEqual({
      c: true,
      t: "12",
      free: 7,
    });
    expect(result.problems).toEqual([
      expect.objectContaining({
        element: "attribute",
        reason: expect.stringMatching(/"abc" is not a valid number/),
      }),
    ]);
  });

  it("measures an image that has no width/height from its file", async () => {
    const xml = meta("") + '<image id="0" name="a.png"/><image id="1" name="b.png"/></annotations>';
    const result = await read({ "annotations.xml": xml, "images/a.png": pngBytes(33, 22) });
    expect(result.images.map((i) => [i.image.path, i.image.width, i.image.height])).toEqual([
      ["a.png", 33, 22],
    ]);
    expect(result.problems[0]?.reason).toMatch(/"b.png" has no valid width\/height/);
  });

  it("gives back any valid dataset a writer was given, minus the documented losses, with no problems", async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArbitrary.chain((d) => fc.tuple(fc.constant(d), exportOptionsArbitrary(d.classes))),
        async ([dataset, options]) => {
          const out = await collectExport(
            writeCvat,
            memorySource(dataset.images, dataset.classes, options),
          );
          const result = await read(collectedFiles(out));
          expect(result.problems).toEqual([]);
          const expected = roundTripExpectations.cvat(dataset.images, dataset.classes, options);
          expect(result.classes).toEqual(expected.classes);
          expect(result.images.map((i) => i.image)).toEqual(expected.images);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("never throws on random or mutated annotations.xml", async () => {
    const out = await collectExport(writeCvat, fixtureSource({ include_images: false }));
    const valid = new TextEncoder().encode(out.files.get("annotations.xml")!);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 8,
            })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, value] of edits) copy[at] = value;
              return copy;
            }),
          fc.nat(valid.length - 1).map((end) => valid.slice(0, end)),
        ),
        async (bytes) => {
          const result = await read({ "annotations.xml": bytes });
          expect(Array.isArray(result.problems)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
