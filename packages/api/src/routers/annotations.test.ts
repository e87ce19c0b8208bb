// Annotations over REST: one image's list replaced and read back exactly (every geometry,
// attributes, keypoint instances, order), bulk replacement of many images all or none, and
// the refusals: unknown image 404, unknown class 422 naming it, invalid geometry 422.
import { testBackends } from "@pictograph/db/testing";
import type { Annotation, Dataset, Image } from "@pictograph/schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pngFile } from "../test-images";
import {
  callRest,
  expectError,
  expectOk,
  openTestApi,
  provisionWorkspace,
  type TestApi,
  type TestWorkspace,
} from "../testing";

type ImageAnnotations = { path: string; annotations: Annotation[] };

const defaults = { attributes: {}, confidence: null, occluded: false, z_order: 0 };

const everyKind: Annotation[] = [
  {
    ...defaults,
    type: "bbox",
    class_name: "car",
    bbox: { x: 10.5, y: 20.25, w: 100, h: 50.125 },
    attributes: { plate: 'AB <12> & "x"', speed: 42.5, parked: true },
    confidence: 0.875,
    occluded: true,
    z_order: -2,
  },
  {
    ...defaults,
    type: "polygon",
    class_name: "building",
    polygon: {
      paths: [
        [
          { x: 0, y: 0 },
          { x: 100, y: 0 },
          { x: 100, y: 100 },
          { x: 0, y: 100 },
        ],
        [
          { x: 25, y: 25 },
          { x: 75, y: 25 },
          { x: 50, y: 75 },
        ],
      ],
    },
  },
  {
    ...defaults,
    type: "polyline",
    class_name: "lane",
    polyline: {
      path: [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
        { x: 5, y: 6 },
      ],
    },
  },
  {
    ...defaults,
    type: "keypoint",
    class_name: "person",
    keypoint: { x: 50, y: 10 },
    instance_id: 1,
    joint: "head",
  },
  {
    ...defaults,
    type: "keypoint",
    class_name: "person",
    keypoint: { x: 40, y: 90 },
    instance_id: 1,
    joint: "foot",
  },
  {
    ...defaults,
    type: "keypoint",
    class_name: "person",
    keypoint: { x: 70, y: 12 },
    instance_id: 2,
    joint: "head",
  },
  { ...defaults, type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 } },
];

describe.each(testBackends(process.env.TEST_DATABASE_URL))("annotations on $name", (backend) => {
  let t: TestApi;
  let ws: TestWorkspace;
  const call = (method: string, path: string, json?: unknown, key = ws.keys.member) =>
    callRest(t.api, method, path, { key, json });
  const annotationsOf = async (path: string) =>
    expectOk<ImageAnnotations>(await call("GET", `/datasets/notes/annotations/${path}`))
      .annotations;

  beforeAll(async () => {
    t = await openTestApi(backend, { recordJobs: true });
    ws = await provisionWorkspace(t.db);
    const classes = [
      { name: "car", color: "#ff0000", attributes: [{ kind: "text", name: "plate" }] },
      { name: "building", color: "#00ff00" },
      { name: "lane", color: "#0000ff" },
      { name: "person", color: "#ffff00", keypoints: ["head", "foot"] },
    ];
    expectOk(await call("POST", "/datasets", { name: "notes", classes }), 201);
    for (let i = 0; i < 5; i++) {
      expectOk(
        await callRest(t.api, "PUT", `/datasets/notes/images/img${i}.png`, {
          key: ws.keys.member,
          body: pngFile(200, 200),
        }),
        201,
      );
    }
  });
  afterAll(() => t?.close());
  afterEach(() => expect(t.internalErrors).toEqual([]));

  it("replaces one image's annotations and reads back exactly what was sent, in order", async () => {
    expect(await annotationsOf("img0.png")).toEqual([]);
    const replaced = expectOk<ImageAnnotations>(
      await call("PUT", "/datasets/notes/annotations/img0.png", { annotations: everyKind }),
    );
    expect(replaced).toEqual({ path: "img0.png", annotations: everyKind });
    expect(await annotationsOf("img0.png")).toEqual(everyKind);
    expect(
      expectOk<Image>(await call("GET", "/datasets/notes/images/img0.png")).annotation_count,
    ).toBe(everyKind.length);

    // Defaults are filled in; a second replace drops the first list entirely.
    const minimal = [{ type: "bbox", class_name: "lane", bbox: { x: 1, y: 1, w: 1, h: 1 } }];
    expect(
      expectOk<ImageAnnotations>(
        await call("PUT", "/datasets/notes/annotations/img0.png", { annotations: minimal }),
      ).annotations,
    ).toEqual([{ ...defaults, ...minimal[0] }]);
    // An empty list clears them.
    expectOk(await call("PUT", "/datasets/notes/annotations/img0.png", { annotations: [] }));
    expect(await annotationsOf("img0.png")).toEqual([]);
    expect(
      expectOk<Image>(await call("GET", "/datasets/notes/images/img0.png")).annotation_count,
    ).toBe(0);
  });

  it("answers 404 for an image that does not exist and 422 naming an unknown class", async () => {
    const box = (class_name: string) => ({
      type: "bbox",
      class_name,
      bbox: { x: 1, y: 1, w: 1, h: 1 },
    });
    expectError(await call("GET", "/datasets/notes/annotations/missing.png"), 404, "not_found");
    const missing = expectError(
      await call("PUT", "/datasets/notes/annotations/missing.png", { annotations: [box("car")] }),
      404,
      "not_found",
    );
    expect(missing).toContain("missing.png");
    // Even an empty list names a missing image.
    expectError(
      await call("PUT", "/datasets/notes/annotations/missing.png", { annotations: [] }),
      404,
      "not_found",
    );
    expectOk(
      await call("PUT", "/datasets/notes/annotations/img1.png", { annotations: [box("car")] }),
    );
    const unknown = expectError(
      await call("PUT", "/datasets/notes/annotations/img1.png", { annotations: [box("truck")] }),
      422,
      "validation_error",
    );
    expect(unknown).toContain('no class "truck"');
    expect(await annotationsOf("img1.png")).toEqual([{ ...defaults, ...box("car") }]);
  });

  it("refuses invalid annotations with 422 naming the field and the rule", async () => {
    const cases: [annotation: unknown, message: RegExp][] = [
      [
        { type: "circle", class_name: "car" },
        /annotation type must be one of: bbox, polygon, polyline, keypoint/,
      ],
      [
        { type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 0, h: 1 } },
        /box width must be greater than 0/,
      ],
      [
        { type: "bbox", class_name: "car", bbox: { x: "1", y: 0, w: 1, h: 1 } },
        /coordinates must be finite numbers/,
      ],
      [{ type: "bbox", class_name: "car" }, /bbox/],
      [
        { type: "polygon", class_name: "building", polygon: { paths: [] } },
        /a polygon needs an outer ring/,
      ],
      [
        { type: "polygon", class_name: "building", polygon: { paths: [[{ x: 0, y: 0 }]] } },
        /a polygon ring needs at least 3 points/,
      ],
      [
        { type: "polyline", class_name: "lane", polyline: { path: [{ x: 0, y: 0 }] } },
        /a polyline needs at least 2 points/,
      ],
      [
        { type: "keypoint", class_name: "person", keypoint: { x: 1, y: 1 }, instance_id: 0 },
        /instance_id/,
      ],
      [
        { type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 }, confidence: 1.5 },
        /confidence/,
      ],
      [
        {
          type: "bbox",
          class_name: "car",
          bbox: { x: 0, y: 0, w: 1, h: 1 },
          attributes: { a: [1] },
        },
        /attribute values must be text, numbers or true\/false/,
      ],
      [
        { type: "bbox", class_name: "", bbox: { x: 0, y: 0, w: 1, h: 1 } },
        /class name must be 1–120 characters/,
      ],
      // Stored as 32-bit integers.
      [
        { type: "bbox", class_name: "car", bbox: { x: 0, y: 0, w: 1, h: 1 }, z_order: 2 ** 31 },
        /z_order must be a whole number between -2147483648 and 2147483647/,
      ],
      [
        { type: "keypoint", class_name: "person", keypoint: { x: 1, y: 1 }, instance_id: 2 ** 40 },
        /instance_id must be a whole number up to 2147483647/,
      ],
    ];
    for (const [annotation, message] of cases) {
      const refused = expectError(
        await call("PUT", "/datasets/notes/annotations/img2.png", { annotations: [annotation] }),
        422,
        "validation_error",
      );
      expect(refused, JSON.stringify(annotation)).toMatch(message);
    }
    expect(
      expectError(
        await call("PUT", "/datasets/notes/annotations/img2.png", { annotations: "none" }),
        422,
        "validation_error",
      ),
    ).toMatch(/annotations/);
    expect(await annotationsOf("img2.png")).toEqual([]);
  });

  it("replaces many images' annotations in one request, all or none", async () => {
    const box = (x: number) => ({
      ...defaults,
      type: "bbox" as const,
      class_name: "car",
      bbox: { x, y: 0, w: 1, h: 1 },
    });
    const body = {
      images: [
        { path: "img3.png", annotations: [box(1), box(2)] },
        { path: "img4.png", annotations: [box(3)] },
        { path: "img2.png", annotations: [] },
      ],
    };
    expect(expectOk(await call("PUT", "/datasets/notes/annotations", body))).toEqual({
      images: 3,
      annotations: 3,
    });
    expect(await annotationsOf("img3.png")).toEqual([box(1), box(2)]);
    expect(await annotationsOf("img4.png")).toEqual([box(3)]);

    // One missing path or class refuses the whole request and changes nothing.
    const withMissingImage = {
      images: [
        { path: "img3.png", annotations: [box(9)] },
        { path: "nope.png", annotations: [box(9)] },
      ],
    };
    const refused = await call("PUT", "/datasets/notes/annotations", withMissingImage);
    expect(expectError(refused, 422, "validation_error")).toContain('no image "nope.png"');
    expect(refused.body).toMatchObject({
      error: { details: { image_paths: ["nope.png"], class_names: [] } },
    });
    const withUnknownClass = {
      images: [{ path: "img3.png", annotations: [{ ...box(9), class_name: "truck" }] }],
    };
    expect(
      expectError(
        await call("PUT", "/datasets/notes/annotations", withUnknownClass),
        422,
        "validation_error",
      ),
    ).toContain('no class "truck"');
    expect(await annotationsOf("img3.png")).toEqual([box(1), box(2)]);

    const deep = {
      images: [{ path: "img3.png", annotations: [box(1), { ...box(2), z_order: -(2 ** 31) - 1 }] }],
    };
    const refusedDeep = await call("PUT", "/datasets/notes/annotations", deep);
    expect(expectError(refusedDeep, 422, "validation_error")).toContain(
      "z_order must be a whole number between",
    );
    expect(refusedDeep.body).toMatchObject({
      error: { details: { issues: [{ path: "images.0.annotations.1.z_order" }] } },
    });
    const tooMany = {
      images: Array.from({ length: 10_001 }, (_, i) => ({ path: `p${i}.png`, annotations: [] })),
    };
    expect(
      expectError(
        await call("PUT", "/datasets/notes/annotations", tooMany),
        422,
        "validation_error",
      ),
    ).toMatch(/images/);
    expectError(
      await call("PUT", "/datasets/notes/annotations", {
        images: [{ path: "../x.png", annotations: [] }],
      }),
      422,
      "validation_error",
    );
    expectError(await call("PUT", "/datasets/gone/annotations", body), 404, "not_found");
    const dataset = expectOk<Dataset>(await call("GET", "/datasets/notes"));
    expect(dataset.image_counts.total).toBe(5);
  });
});
