import { describe, expect, it } from "vitest";
import {
  AnnotationSchema,
  ClassListSchema,
  DatasetImageSchema,
  ImageRecordSchema,
} from "./dataset-model";
import { describeZodError } from "./errors";
import { ExportCreateSchema, ExportOptionsSchema } from "./resources";

function problems(result: { success: boolean; error?: unknown }): string {
  if (result.success) return "";
  return describeZodError(result.error as never).message;
}

describe("annotations", () => {
  const box = { type: "bbox", class_name: "car", bbox: { x: 1, y: 2, w: 3, h: 4 } };

  it("fills defaults so every surface stores the same shape", () => {
    expect(AnnotationSchema.parse(box)).toEqual({
      ...box,
      attributes: {},
      confidence: null,
      occluded: false,
      z_order: 0,
    });
  });

  it.each([
    [NaN, "coordinates must be finite numbers"],
    [Infinity, "coordinates must be finite numbers"],
    [-Infinity, "coordinates must be finite numbers"],
  ])("refuses the coordinate %s", (x, message) => {
    expect(problems(AnnotationSchema.safeParse({ ...box, bbox: { ...box.bbox, x } }))).toContain(
      message,
    );
  });

  it("refuses negative and zero sizes", () => {
    expect(
      problems(AnnotationSchema.safeParse({ ...box, bbox: { ...box.bbox, w: -1 } })),
    ).toContain("box width must be greater than 0");
    expect(problems(AnnotationSchema.safeParse({ ...box, bbox: { ...box.bbox, h: 0 } }))).toContain(
      "box height must be greater than 0",
    );
  });

  it("accepts negative positions: a box may extend beyond the image and is clipped on export", () => {
    expect(
      AnnotationSchema.safeParse({ ...box, bbox: { x: -5, y: -5, w: 10, h: 10 } }).success,
    ).toBe(true);
  });

  it("refuses polygon rings with fewer than 3 points, holes included", () => {
    const ring = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
    ];
    const polygon = (paths: unknown) => ({ type: "polygon", class_name: "a", polygon: { paths } });
    expect(AnnotationSchema.safeParse(polygon([ring, ring])).success).toBe(true);
    expect(problems(AnnotationSchema.safeParse(polygon([ring.slice(0, 2)])))).toContain(
      "a polygon ring needs at least 3 points",
    );
    expect(problems(AnnotationSchema.safeParse(polygon([ring, ring.slice(0, 1)])))).toContain(
      "a polygon ring needs at least 3 points",
    );
    expect(problems(AnnotationSchema.safeParse(polygon([])))).toContain(
      "a polygon needs an outer ring",
    );
  });

  it("keeps z_order and instance_id within what the database stores (32 bits)", () => {
    expect(problems(AnnotationSchema.safeParse({ ...box, z_order: 2 ** 31 }))).toContain(
      "z_order must be a whole number between -2147483648 and 2147483647",
    );
    const kp = {
      type: "keypoint",
      class_name: "p",
      keypoint: { x: 1, y: 1 },
      instance_id: 2 ** 31,
    };
    expect(problems(AnnotationSchema.safeParse(kp))).toContain(
      "instance_id must be a whole number up to 2147483647",
    );
  });

  it("refuses unknown annotation types with the valid ones listed", () => {
    expect(problems(AnnotationSchema.safeParse({ ...box, type: "ellipse" }))).toContain(
      "annotation type must be one of: bbox, polygon, polyline, keypoint",
    );
  });

  it("keeps keypoint instance and joint", () => {
    const kp = AnnotationSchema.parse({
      type: "keypoint",
      class_name: "person",
      keypoint: { x: 1, y: 2 },
      instance_id: 3,
      joint: "head",
    });
    expect(kp).toMatchObject({ instance_id: 3, joint: "head" });
  });
});

describe("images", () => {
  const image = { path: "a/x.jpg", width: 640, height: 480 };

  it("defaults status to new, split to none, no tags, no annotations", () => {
    expect(DatasetImageSchema.parse(image)).toEqual({
      ...image,
      status: "new",
      split: null,
      tags: [],
      annotations: [],
    });
  });

  it.each([
    [{ width: -1 }, "image width must be greater than 0"],
    [{ height: 0 }, "image height must be greater than 0"],
    [{ width: 1.5 }, "image width must be a whole number of pixels"],
    [{ status: "done" }, "image status must be one of: new, in_progress, complete"],
    [{ split: "training" }, "split must be one of: train, val, test, or null"],
    [{ path: "../x.jpg" }, "image path must not contain '.' or '..' folders"],
  ])("refuses %j", (change, message) => {
    expect(problems(ImageRecordSchema.safeParse({ ...image, ...change }))).toContain(message);
  });
});

describe("class lists", () => {
  it("refuses a class listed twice, case-sensitively", () => {
    expect(
      problems(
        ClassListSchema.safeParse([
          { name: "car", color: "#ff0000" },
          { name: "car", color: "#00ff00" },
        ]),
      ),
    ).toContain('class "car" is listed twice');
    expect(
      ClassListSchema.safeParse([
        { name: "car", color: "#ff0000" },
        { name: "Car", color: "#00ff00" },
      ]).success,
    ).toBe(true);
  });

  it("refuses a select attribute without options and unknown attribute kinds", () => {
    const withAttr = (attr: unknown) => [{ name: "car", color: "#ff0000", attributes: [attr] }];
    expect(
      problems(ClassListSchema.safeParse(withAttr({ kind: "select", name: "c", options: [] }))),
    ).toContain("a select attribute needs options");
    expect(problems(ClassListSchema.safeParse(withAttr({ kind: "slider", name: "c" })))).toContain(
      "attribute kind must be one of: text, number, select, checkbox",
    );
  });
});

describe("export options (the contract's defaults)", () => {
  it("defaults to pictograph, with images, all classes, complete images only", () => {
    expect(ExportOptionsSchema.parse({})).toEqual({
      format: "pictograph",
      include_images: true,
      class_filter: null,
      status_filter: "complete",
    });
  });

  it("lists the valid values when a format or status filter is unknown", () => {
    expect(
      problems(ExportCreateSchema.safeParse({ dataset: "d", name: "e", format: "tfrecord" })),
    ).toBe("format must be one of: pictograph, coco, yolo, cvat, pascal_voc, labelme, csv");
    expect(
      problems(ExportCreateSchema.safeParse({ dataset: "d", name: "e", status_filter: "done" })),
    ).toBe("status_filter must be one of: all, new, in_progress, complete");
  });

  it("names the field and the rule for a bad export name", () => {
    expect(problems(ExportCreateSchema.safeParse({ dataset: "d", name: "" }))).toBe(
      "export name must be 1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit",
    );
  });
});
