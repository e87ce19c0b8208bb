// The canonical dataset model (DESIGN.md "Data model"): classes, images and annotations in
// absolute pixels, top-left origin, continuous coordinates. Every exporter reads it and
// every importer produces it (FORMATS.md D0).
import { z } from "zod";
import { ClassNameSchema, ImagePathSchema } from "./names";

export const IMAGE_STATUSES = ["new", "in_progress", "complete"] as const;
export const ImageStatusSchema = z.enum(IMAGE_STATUSES, {
  error: `image status must be one of: ${IMAGE_STATUSES.join(", ")}`,
});
export type ImageStatus = z.infer<typeof ImageStatusSchema>;

export const SPLITS = ["train", "val", "test"] as const;
export const SplitSchema = z.enum(SPLITS, {
  error: `split must be one of: ${SPLITS.join(", ")}, or null`,
});
export type Split = z.infer<typeof SplitSchema>;

// z.number() refuses NaN and ±Infinity; the message says so in words a user knows.
const coordinate = z.number({ error: "coordinates must be finite numbers" });

export const PointSchema = z.object({ x: coordinate, y: coordinate });
export type Point = z.infer<typeof PointSchema>;

export const BBoxSchema = z.object({
  x: coordinate,
  y: coordinate,
  w: coordinate.positive({ error: "box width must be greater than 0" }),
  h: coordinate.positive({ error: "box height must be greater than 0" }),
});
export type BBox = z.infer<typeof BBoxSchema>;

export const RingSchema = z
  .array(PointSchema)
  .min(3, { error: "a polygon ring needs at least 3 points" });

export const PolygonSchema = z.object({
  // First ring is the outline, later rings are holes.
  paths: z.array(RingSchema).min(1, { error: "a polygon needs an outer ring" }),
});
export type Polygon = z.infer<typeof PolygonSchema>;

export const PolylineSchema = z.object({
  path: z.array(PointSchema).min(2, { error: "a polyline needs at least 2 points" }),
});
export type Polyline = z.infer<typeof PolylineSchema>;

export const AttributeValueSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: "attribute values must be text, numbers or true/false",
});
export type AttributeValue = z.infer<typeof AttributeValueSchema>;

export const AttributesSchema = z.record(z.string().min(1).max(120), AttributeValueSchema);
export type Attributes = z.infer<typeof AttributesSchema>;

const annotationBase = {
  class_name: ClassNameSchema,
  attributes: AttributesSchema.default({}),
  confidence: z.number().min(0).max(1).nullable().default(null),
  occluded: z.boolean().default(false),
  z_order: z
    .int32({ error: "z_order must be a whole number between -2147483648 and 2147483647" })
    .default(0),
};

export const ANNOTATION_TYPES = ["bbox", "polygon", "polyline", "keypoint"] as const;
export type AnnotationType = (typeof ANNOTATION_TYPES)[number];

export const AnnotationSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("bbox"), bbox: BBoxSchema, ...annotationBase }),
    z.object({ type: z.literal("polygon"), polygon: PolygonSchema, ...annotationBase }),
    z.object({ type: z.literal("polyline"), polyline: PolylineSchema, ...annotationBase }),
    z.object({
      type: z.literal("keypoint"),
      keypoint: PointSchema,
      // Joints of one object share an instance id; `joint` names one of the class's joints.
      instance_id: z
        .int32({ error: "instance_id must be a whole number up to 2147483647" })
        .positive()
        .nullable()
        .default(null),
      joint: z.string().min(1).max(120).nullable().default(null),
      ...annotationBase,
    }),
  ],
  { error: `annotation type must be one of: ${ANNOTATION_TYPES.join(", ")}` },
);
export type Annotation = z.infer<typeof AnnotationSchema>;
export type AnnotationInput = z.input<typeof AnnotationSchema>;

export const ATTRIBUTE_KINDS = ["text", "number", "select", "checkbox"] as const;

export const AttributeSpecSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("text"),
      name: z.string().min(1).max(120),
      default: z.string().default(""),
    }),
    z.object({
      kind: z.literal("number"),
      name: z.string().min(1).max(120),
      min: z.number().nullable().default(null),
      max: z.number().nullable().default(null),
      default: z.number().default(0),
    }),
    z.object({
      kind: z.literal("select"),
      name: z.string().min(1).max(120),
      options: z
        .array(z.string().min(1).max(120))
        .min(1, { error: "a select attribute needs options" }),
      default: z.string().nullable().default(null),
    }),
    z.object({
      kind: z.literal("checkbox"),
      name: z.string().min(1).max(120),
      default: z.boolean().default(false),
    }),
  ],
  { error: `attribute kind must be one of: ${ATTRIBUTE_KINDS.join(", ")}` },
);
export type AttributeSpec = z.infer<typeof AttributeSpecSchema>;

export const ColorSchema = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { error: "color must be #rrggbb" })
  .transform((c) => c.toLowerCase());

export const ClassDefSchema = z.object({
  name: ClassNameSchema,
  color: ColorSchema,
  attributes: z.array(AttributeSpecSchema).default([]),
  // Joint names, in order, for classes annotated as keypoint instances (COCO keypoints).
  keypoints: z.array(z.string().min(1).max(120)).nullable().default(null),
});
export type ClassDef = z.infer<typeof ClassDefSchema>;
export type ClassDefInput = z.input<typeof ClassDefSchema>;

export const ClassListSchema = z.array(ClassDefSchema).superRefine((classes, ctx) => {
  const seen = new Set<string>();
  classes.forEach((c, i) => {
    if (seen.has(c.name))
      ctx.addIssue({
        code: "custom",
        path: [i, "name"],
        message: `class "${c.name}" is listed twice`,
      });
    seen.add(c.name);
  });
});

export const MAX_IMAGE_SIDE = 1_000_000;
const imageSide = (side: string) =>
  z
    .int({ error: `image ${side} must be a whole number of pixels` })
    .positive({ error: `image ${side} must be greater than 0` })
    .max(MAX_IMAGE_SIDE, { error: `image ${side} must be at most ${MAX_IMAGE_SIDE}` });

export const ImageRecordSchema = z.object({
  path: ImagePathSchema,
  width: imageSide("width"),
  height: imageSide("height"),
  status: ImageStatusSchema.default("new"),
  split: SplitSchema.nullable().default(null),
  tags: z.array(z.string().min(1).max(120)).default([]),
});
export type ImageRecord = z.infer<typeof ImageRecordSchema>;

/** One image with its annotations: the unit every writer consumes and every reader yields. */
export const DatasetImageSchema = ImageRecordSchema.extend({
  annotations: z.array(AnnotationSchema).default([]),
});
export type DatasetImage = z.infer<typeof DatasetImageSchema>;
export type DatasetImageInput = z.input<typeof DatasetImageSchema>;
