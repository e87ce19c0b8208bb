// Property tests: random valid datasets (hostile class names, shapes across the border,
// splits, statuses, filters) through every writer come back through its reader as the
// round-trip expectation says, with no problem the expectation does not name; random and
// mutated bytes into every reader give problems, never an exception.
import fc from "fast-check";
import {
  DatasetImageSchema,
  STATUS_FILTERS,
  type AnnotationInput,
  type ClassDef,
  type Split,
} from "@pictograph/schema";
import { describe, expect, it } from "vitest";
import { memoryArchive } from "./archive/memory-archive";
import { classListArbitrary, datasetArbitrary } from "./core/random-dataset";
import { importDifferences, readAll, roundTrip, roundTripFormats } from "./export-expectation";
import { collectedFiles, collectExport } from "./test/collect";
import { fixtureSource } from "./test/fixture";

const formats = Object.keys(roundTripFormats) as Array<keyof typeof roundTripFormats>;

/** Shapes mostly inside the image, so most survive clipping: rectangles with rectangular
 * holes, keypoint instances with their class's joints, boxes across the border. */
function shapesArbitrary(
  classes: ClassDef[],
  width: number,
  height: number,
): fc.Arbitrary<AnnotationInput[]> {
  const inside = (size: number) =>
    fc.double({ min: 0, max: size, noNaN: true, noDefaultInfinity: true });
  const across = (size: number) =>
    fc.double({ min: -size / 4, max: size * 1.25, noNaN: true, noDefaultInfinity: true });
  const point = fc.record({ x: inside(width), y: inside(height) });
  const common = (c: ClassDef) => ({
    class_name: fc.constant(c.name),
    attributes: fc.dictionary(
      fc.constantFrom("note", "a&b", "n:1", "x<y>"),
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()),
      { maxKeys: 2 },
    ),
    confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    occluded: fc.boolean(),
    z_order: fc.integer({ min: -2, max: 2 }),
  });
  const rectangle = fc
    .tuple(
      fc.double({ min: 0.05, max: 0.45, noNaN: true }),
      fc.double({ min: 0.05, max: 0.45, noNaN: true }),
      fc.double({ min: 0.5, max: 0.95, noNaN: true }),
      fc.double({ min: 0.5, max: 0.95, noNaN: true }),
    )
    .map(([x0, y0, x1, y1]) => ({
      x0: x0 * width,
      y0: y0 * height,
      x1: x1 * width,
      y1: y1 * height,
    }));
  const ring = (r: { x0: number; y0: number; x1: number; y1: number }) => [
    { x: r.x0, y: r.y0 },
    { x: r.x1, y: r.y0 },
    { x: r.x1, y: r.y1 },
    { x: r.x0, y: r.y1 },
  ];
  const shape = fc.constantFrom(...classes).chain((c) =>
    fc.oneof(
      fc.record({
        type: fc.constant("bbox" as const),
        bbox: fc.record({
          x: across(width),
          y: across(height),
          w: fc.double({ min: 0.5, max: width, noNaN: true }),
          h: fc.double({ min: 0.5, max: height, noNaN: true }),
        }),
        ...common(c),
      }),
      fc.record({
        type: fc.constant("polygon" as const),
        polygon: fc.array(point, { minLength: 3, maxLength: 6 }).map((p) => ({ paths: [p] })),
        ...common(c),
      }),
      fc.record({
        type: fc.constant("polygon" as const),
        polygon: fc.tuple(rectangle, fc.boolean()).map(([r, hole]) => {
          const mx = (r.x1 - r.x0) / 4,
            my = (r.y1 - r.y0) / 4;
          return {
            paths: hole
              ? [ring(r), ring({ x0: r.x0 + mx, y0: r.y0 + my, x1: r.x1 - mx, y1: r.y1 - my })]
              : [ring(r)],
          };
        }),
        ...common(c),
      }),
      fc.record({
        type: fc.constant("polyline" as const),
        polyline: fc.record({ path: fc.array(point, { minLength: 2, maxLength: 4 }) }),
        ...common(c),
      }),
      fc.record({
        type: fc.constant("keypoint" as const),
        keypoint: point,
        instance_id: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null, freq: 4 }),
        joint: c.keypoints
          ? fc.option(fc.constantFrom(...c.keypoints), { nil: null, freq: 6 })
          : fc.constant(null),
        ...common(c),
      }),
    ),
  );
  return fc.array(shape, { maxLength: 8, size: "medium" });
}

const richDatasetArbitrary = classListArbitrary.chain((classes) =>
  fc
    .uniqueArray(
      fc.tuple(
        fc.constantFrom("", "batch1/", "a&b <c>/", "images/", "sp ace/"),
        fc.constantFrom("x", "n&m", "'q'", "@", "日本", "a,b"),
        fc.constantFrom(".jpg", ".png"),
      ),
      { minLength: 1, maxLength: 6, size: "medium", selector: ([folder, stem]) => folder + stem },
    )
    .chain((paths) =>
      fc.tuple(
        ...paths.map(([folder, stem, extension]) =>
          fc
            .record({
              width: fc.integer({ min: 1, max: 2000 }),
              height: fc.integer({ min: 1, max: 2000 }),
            })
            .chain(({ width, height }) =>
              fc.record({
                path: fc.constant(`${folder}${stem}${extension}`),
                width: fc.constant(width),
                height: fc.constant(height),
                status: fc.constantFrom(
                  "new" as const,
                  "in_progress" as const,
                  "complete" as const,
                ),
                split: fc.constantFrom<Split | null>("train", "val", "test", null),
                tags: fc.array(fc.constantFrom("day", "a&b", "n:1"), { maxLength: 2 }),
                annotations: shapesArbitrary(classes, width, height),
              }),
            ),
        ),
      ),
    )
    .map((images) => ({ classes, images: images.map((image) => DatasetImageSchema.parse(image)) })),
);

const caseArbitrary = fc.oneof(richDatasetArbitrary, datasetArbitrary).chain((dataset) =>
  fc
    .record({
      include_images: fc.boolean(),
      class_filter: fc.option(
        fc.subarray(
          dataset.classes.map((c) => c.name),
          { minLength: 1 },
        ),
        { nil: null },
      ),
      status_filter: fc.oneof(
        { arbitrary: fc.constant("all" as const), weight: 3 },
        fc.constantFrom(...STATUS_FILTERS),
      ),
    })
    .map((options) => ({ dataset, options })),
);

describe.each(formats)("%s with random datasets", (format) => {
  it("reads back what it wrote, reporting only the losses it documents", async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ({ dataset, options }) => {
        const { result, read, expected } = await roundTrip(
          format,
          dataset.images,
          dataset.classes,
          options,
        );
        expect(result.problems.map((p) => p.reason)).toEqual(expected.problems);
        expect(result.classes).toEqual(expected.classes);
        expect(
          importDifferences(
            read.map((r) => r.image),
            expected,
          ),
        ).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

/** Where each reader's main input lives, for feeding it garbage. */
const mainFiles: Record<(typeof formats)[number], string[]> = {
  pictograph: ["manifest.json", "annotations/x.jpg.json"],
  coco: ["annotations/instances_train.json", "train/_annotations.coco.json"],
  yolo: ["data.yaml", "obj.names", "labels/train/x.txt"],
  csv: ["annotations.csv"],
  cvat: ["annotations.xml"],
  pascal_voc: ["Annotations/x.xml"],
  labelme: ["x.json"],
};

const HOSTILE_JSON = [
  "NaN",
  "1e999",
  "-1",
  '""',
  "[]",
  "{}",
  "null",
  "true",
  "1.5",
  '"\\u0000"',
  "[".repeat(200),
  "9007199254740993",
];

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(...HOSTILE_JSON, ",", '"', "\n", "\r", "\u2028"),
  }),
  fc.record({
    kind: fc.constant("replace-number" as const),
    at: fc.nat(),
    text: fc.constantFrom(...HOSTILE_JSON),
  }),
);

type Mutation = { kind: string; at: number; byte?: number; text?: string };

function mutate(text: string, m: Mutation): string | Uint8Array {
  const at = text.length ? m.at % text.length : 0;
  switch (m.kind) {
    case "flip": {
      const bytes = new TextEncoder().encode(text);
      if (bytes.length) bytes[at % bytes.length] = m.byte!;
      return bytes;
    }
    case "truncate":
      return text.slice(0, at);
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
    default: {
      // Replace the number nearest `at` with a hostile value.
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
      if (!numbers.length) return text;
      const n = numbers[at % numbers.length]!;
      return text.slice(0, n.index) + m.text + text.slice(n.index + n[0].length);
    }
  }
}

/** Reads to the end; fails on an exception or on output the canonical schema refuses. */
async function readSafely(
  format: (typeof formats)[number],
  files: Record<string, string | Uint8Array>,
) {
  const result = await roundTripFormats[format].read(memoryArchive(files), {
    maxJsonBytes: 1 << 20,
  });
  const images = await readAll(result);
  const classNames = new Set(result.classes.map((c) => c.name));
  for (const { image } of images) {
    expect(DatasetImageSchema.safeParse(image).success).toBe(true);
    for (const a of image.annotations) expect(classNames.has(a.class_name)).toBe(true);
  }
  return result.problems;
}

describe.each(formats)("%s reader with hostile bytes", (format) => {
  it("reports random bytes as problems", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...mainFiles[format]),
        async (bytes, path) => {
          const problems = await readSafely(format, {
            [path]: bytes,
            "images/train/x.jpg": bytes,
            "x.jpg": bytes,
          });
          expect(problems.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("never throws on a mutated export", async () => {
    const out = await collectExport(
      roundTripFormats[format].write,
      fixtureSource({ include_images: true }),
    );
    const files = collectedFiles(out);
    const textFiles = Object.keys(files).filter((p) => !out.images.has(p) && p !== "README.txt");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...textFiles),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (path, mutations) => {
          let body: string | Uint8Array = files[path]!;
          for (const m of mutations)
            body = mutate(typeof body === "string" ? body : new TextDecoder().decode(body), m);
          await readSafely(format, { ...files, [path]: body });
        },
      ),
      { numRuns: 150 },
    );
  });
});
