// Test support: fast-check arbitraries for valid canonical datasets that are hostile to
// serializers (class names with & < > " ' : #, text with control characters, shapes that
// cross the image border), so property tests can push any of them through a writer.
import fc from "fast-check";
import {
  ClassListSchema,
  ClassNameSchema,
  DatasetImageSchema,
  type AttributeSpec,
  type AttributeValue,
  type ClassDef,
  type DatasetImage,
  type Split,
} from "@pictograph/schema";

const HOSTILE = [
  "&",
  "<",
  ">",
  '"',
  "'",
  ":",
  "#",
  ";",
  ",",
  " ",
  "é",
  "中",
  "😀",
  "a",
  "b",
  "Z",
  "0",
  "&amp;",
  "]]>",
];
const CONTROL = [
  "\u0000",
  "\u0001",
  "\u0008",
  "\u000b",
  "\u001f",
  "\t",
  "\n",
  "\r",
  "\u007f",
  "\u0085",
];

const hostileText = (maxLength: number) =>
  fc.array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength }).map((parts) => parts.join(""));

export const classNameArbitrary = hostileText(6).filter(
  (name) => ClassNameSchema.safeParse(name).success,
);

/** Attribute text: hostile characters plus the control characters XML cannot carry. */
export const attributeTextArbitrary = fc
  .array(fc.constantFrom(...HOSTILE, ...CONTROL), { maxLength: 6 })
  .map((parts) => parts.join(""));

/** Names attributes and joints may have in every format (no control characters). */
const plainName = fc.constantFrom(
  "plate",
  "speed",
  "paint",
  "parked",
  "a&b",
  "x<y>",
  "note s",
  "n:1",
  "度",
);

const finiteNumber = fc
  .oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }))
  .map((n) => (Object.is(n, -0) ? 0 : n));

const specArbitrary: fc.Arbitrary<AttributeSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("text" as const),
    name: plainName,
    default: fc.constantFrom("", "n/a", "a & b"),
  }),
  fc.record({
    kind: fc.constant("number" as const),
    name: plainName,
    min: fc.option(fc.integer({ min: -10, max: 0 }), { nil: null }),
    max: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
    default: fc.integer({ min: 0, max: 1 }),
  }),
  fc
    .uniqueArray(fc.constantFrom("red", "blue", "dark green", "a&b", "<x>"), {
      minLength: 1,
      maxLength: 3,
    })
    .chain((options) =>
      fc.record({
        kind: fc.constant("select" as const),
        name: plainName,
        options: fc.constant(options),
        default: fc.option(fc.constantFrom(...options), { nil: null }),
      }),
    ),
  fc.record({ kind: fc.constant("checkbox" as const), name: plainName, default: fc.boolean() }),
);

const classArbitrary = fc.record({
  name: classNameArbitrary,
  color: fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, "0")}`),
  attributes: fc.uniqueArray(specArbitrary, { maxLength: 3, selector: (s) => s.name }),
  keypoints: fc.option(
    fc.uniqueArray(fc.constantFrom("head", "left hand", "tail&tip"), {
      minLength: 1,
      maxLength: 3,
    }),
    {
      nil: null,
    },
  ),
});

export const classListArbitrary: fc.Arbitrary<ClassDef[]> = fc
  .uniqueArray(classArbitrary, { minLength: 1, maxLength: 4, selector: (c) => c.name })
  .map((classes) => ClassListSchema.parse(classes));

function attributeValue(spec: AttributeSpec): fc.Arbitrary<AttributeValue> {
  switch (spec.kind) {
    case "text":
      return attributeTextArbitrary;
    case "number":
      return finiteNumber;
    case "select":
      return fc.constantFrom(...spec.options);
    case "checkbox":
      return fc.boolean();
  }
}

const pathArbitrary = fc
  .tuple(
    fc.constantFrom("", "batch1/", "a&b <c>/", "deep/er/"),
    fc.constantFrom("x", "street", "n&m", "'q'", "sp ace", "@", "日本"),
    fc.constantFrom(".jpg", ".png", ".jpeg"),
  )
  .map(([folder, stem, extension]) => ({ folder, stem, path: `${folder}${stem}${extension}` }));

function annotationArbitrary(classes: ClassDef[], width: number, height: number) {
  const coordinate = (size: number) =>
    fc.double({ min: -20, max: size + 20, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n));
  const point = fc.record({ x: coordinate(width), y: coordinate(height) });
  return fc.constantFrom(...classes).chain((c) => {
    const attributes = fc
      .subarray(c.attributes)
      .chain((specs) =>
        fc.tuple(...specs.map((s) => attributeValue(s).map((v) => [s.name, v] as const))),
      )
      .map((pairs) => Object.fromEntries(pairs));
    const common = {
      class_name: fc.constant(c.name),
      attributes,
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      occluded: fc.boolean(),
      z_order: fc.integer({ min: -3, max: 3 }),
    };
    return fc.oneof(
      fc.record({
        type: fc.constant("bbox" as const),
        bbox: fc.record({
          x: coordinate(width),
          y: coordinate(height),
          w: fc.double({ min: 0.5, max: width, noNaN: true }),
          h: fc.double({ min: 0.5, max: height, noNaN: true }),
        }),
        ...common,
      }),
      fc.record({
        type: fc.constant("polygon" as const),
        polygon: fc.record({
          paths: fc.array(fc.array(point, { minLength: 3, maxLength: 6 }), {
            minLength: 1,
            maxLength: 2,
          }),
        }),
        ...common,
      }),
      fc.record({
        type: fc.constant("polyline" as const),
        polyline: fc.record({ path: fc.array(point, { minLength: 2, maxLength: 5 }) }),
        ...common,
      }),
      fc.record({
        type: fc.constant("keypoint" as const),
        keypoint: point,
        instance_id: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        joint: c.keypoints
          ? fc.option(fc.constantFrom(...c.keypoints), { nil: null })
          : fc.constant(null),
        ...common,
      }),
    );
  });
}

export const datasetArbitrary: fc.Arbitrary<{ classes: ClassDef[]; images: DatasetImage[] }> =
  classListArbitrary.chain((classes) =>
    fc
      // One path per (folder, stem): stems are unique per folder (D2).
      .uniqueArray(pathArbitrary, { maxLength: 4, selector: (p) => p.folder + p.stem })
      .chain((paths) =>
        fc.tuple(
          ...paths.map(({ path }) =>
            fc
              .record({
                width: fc.integer({ min: 1, max: 400 }),
                height: fc.integer({ min: 1, max: 400 }),
              })
              .chain(({ width, height }) =>
                fc.record({
                  path: fc.constant(path),
                  width: fc.constant(width),
                  height: fc.constant(height),
                  status: fc.constantFrom(
                    "new" as const,
                    "in_progress" as const,
                    "complete" as const,
                  ),
                  split: fc.constantFrom<Split | null>("train", "val", "test", null),
                  tags: fc.constant([]),
                  annotations: fc.array(annotationArbitrary(classes, width, height), {
                    maxLength: 5,
                  }),
                }),
              ),
          ),
        ),
      )
      .map((images) => ({
        classes,
        images: images.map((image) => DatasetImageSchema.parse(image)),
      })),
  );

export const exportOptionsArbitrary = (classes: ClassDef[]) =>
  fc.record({
    include_images: fc.boolean(),
    class_filter: fc.option(
      fc.subarray(
        classes.map((c) => c.name),
        { minLength: 1 },
      ),
      { nil: null },
    ),
    status_filter: fc.constant("all" as const),
  });
