// The dataset model (DESIGN.md "Data model"): datasets, their classes, images and
// annotations. Annotation geometry is stored in the canonical shape of @pictograph/schema.
import {
  ANNOTATION_TYPES,
  IMAGE_STATUSES,
  SPLITS,
  type AttributeSpec,
  type Attributes,
  type BBox,
  type Point,
  type Polygon,
  type Polyline,
} from "@pictograph/schema";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { byteOrderText, checkOneOf, createdAt, updatedAt, uuidPrimaryKey } from "./columns";
import { workspaces } from "./workspaces";

export const datasets = pgTable(
  "datasets",
  {
    id: uuidPrimaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: byteOrderText().notNull(),
    description: text().notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("datasets_workspace_id_name_key").on(t.workspaceId, t.name),
    // Target of the (dataset_id, workspace_id) foreign keys that keep exports and imports in
    // their dataset's workspace.
    unique("datasets_id_workspace_id_key").on(t.id, t.workspaceId),
    check("datasets_name_check", sql`${t.name} ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'`),
  ],
);

export const classes = pgTable(
  "classes",
  {
    id: uuidPrimaryKey(),
    datasetId: uuid()
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    name: text().notNull(),
    color: text().notNull(),
    /** Order in the dataset's class list: formats derive class indices from it (FORMATS.md D1). */
    position: integer().notNull(),
    attributes: jsonb().$type<AttributeSpec[]>().notNull().default([]),
    /** Joint names, in order, for keypoint classes. */
    keypoints: text().array(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("classes_dataset_id_name_key").on(t.datasetId, t.name),
    unique("classes_dataset_id_position_key").on(t.datasetId, t.position),
    check("classes_position_check", sql`${t.position} >= 0`),
    check("classes_color_check", sql`${t.color} ~ '^#[0-9a-f]{6}$'`),
    check("classes_name_check", sql`char_length(${t.name}) BETWEEN 1 AND 120`),
  ],
);

export const images = pgTable(
  "images",
  {
    id: uuidPrimaryKey(),
    datasetId: uuid()
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    path: byteOrderText().notNull(),
    /**
     * `batch1/x.jpg` → `batch1/x`, computed by the database so no writer can get it wrong.
     * Same rule as pathStem() in @pictograph/schema; the tests hold the two together.
     */
    pathStem: byteOrderText()
      .notNull()
      .generatedAlwaysAs(sql`regexp_replace(path, '([^/])\\.[^./]*$', '\\1')`),
    width: integer().notNull(),
    height: integer().notNull(),
    status: text({ enum: IMAGE_STATUSES }).notNull().default("new"),
    split: text({ enum: SPLITS }),
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** File facts; null while an image has no stored file (e.g. imported annotations only). */
    sha256: text(),
    sizeBytes: bigint({ mode: "number" }),
    mime: text(),
    blobKey: text(),
    /** Kept equal to the image's annotation rows by the annotation query functions. */
    annotationCount: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Keyset order of every image listing and export page.
    unique("images_dataset_id_path_key").on(t.datasetId, t.path),
    // FORMATS.md D2: `x.jpg` and `x.png` may not share a folder, so formats can pair by stem.
    unique("images_dataset_id_path_stem_key").on(t.datasetId, t.pathStem),
    index("images_dataset_id_status_path_idx").on(t.datasetId, t.status, t.path),
    // Export pages of one split (COCO's subsets, VOC's ImageSets): a range of this index, not
    // a walk of the whole dataset's path order filtering out the other splits.
    index("images_dataset_id_split_path_idx").on(t.datasetId, t.split, t.path),
    checkOneOf("images_status_check", t.status, IMAGE_STATUSES),
    checkOneOf("images_split_check", t.split, SPLITS),
    check("images_size_check", sql`${t.width} > 0 AND ${t.height} > 0`),
    check("images_annotation_count_check", sql`${t.annotationCount} >= 0`),
    check("images_sha256_check", sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
    check("images_size_bytes_check", sql`${t.sizeBytes} >= 0`),
  ],
);

/** Canonical geometry of one annotation; which member is set follows `type`. */
export type Geometry = BBox | Polygon | Polyline | Point;

export const annotations = pgTable(
  "annotations",
  {
    // A bigint identity: cheap to index and ordered, for the many rows a dataset holds.
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    imageId: uuid()
      .notNull()
      .references(() => images.id, { onDelete: "cascade" }),
    classId: uuid().notNull(),
    /** Order within the image, 0…n-1: exports write annotations in this order. */
    position: integer().notNull(),
    type: text({ enum: ANNOTATION_TYPES }).notNull(),
    geometry: jsonb().$type<Geometry>().notNull(),
    attributes: jsonb().$type<Attributes>().notNull().default({}),
    confidence: doublePrecision(),
    occluded: boolean().notNull().default(false),
    zOrder: integer().notNull().default(0),
    instanceId: integer(),
    joint: text(),
  },
  (t) => [
    // Cascade, so deleting a dataset (which cascades to classes and images) can never be
    // blocked by its own annotations. Dropping a class that annotations still use is refused
    // by replaceClasses (ClassInUseError), under a row lock that makes concurrent annotation
    // writes to that class wait, rather than by this key.
    foreignKey({
      name: "annotations_class_id_fkey",
      columns: [t.classId],
      foreignColumns: [classes.id],
    }).onDelete("cascade"),
    unique("annotations_image_id_position_key").on(t.imageId, t.position),
    // Serves the foreign key check when a class is deleted, and per-class filters.
    index("annotations_class_id_idx").on(t.classId),
    checkOneOf("annotations_type_check", t.type, ANNOTATION_TYPES),
    check("annotations_position_check", sql`${t.position} >= 0`),
    check("annotations_confidence_check", sql`${t.confidence} BETWEEN 0 AND 1`),
    check(
      "annotations_keypoint_fields_check",
      sql`${t.type} = 'keypoint' OR (${t.instanceId} IS NULL AND ${t.joint} IS NULL)`,
    ),
  ],
);

export type DatasetRow = typeof datasets.$inferSelect;
export type ClassRow = typeof classes.$inferSelect;
export type ImageRow = typeof images.$inferSelect;
export type NewImageRow = typeof images.$inferInsert;
export type AnnotationRow = typeof annotations.$inferSelect;
