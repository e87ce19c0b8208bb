// Public API shapes: what procedures take and return (wire objects are snake_case).
import { z } from "zod";
import {
  ClassDefSchema,
  DatasetImageSchema,
  ImageRecordSchema,
  ImageStatusSchema,
  SplitSchema,
  AnnotationSchema,
  ClassListSchema,
} from "./dataset-model";
import {
  ClassNameSchema,
  DatasetNameSchema,
  ExportNameSchema,
  ImagePathSchema,
  WorkspaceNameSchema,
} from "./names";
import { PageParamsSchema } from "./pagination";

const timestamp = z.string(); // ISO 8601, UTC

export const ROLES = ["viewer", "member", "admin"] as const;
export const RoleSchema = z.enum(ROLES, { error: `role must be one of: ${ROLES.join(", ")}` });
export type Role = z.infer<typeof RoleSchema>;

export const WorkspaceSchema = z.object({
  id: z.string(),
  name: WorkspaceNameSchema,
  created_at: timestamp,
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const ImageCountsSchema = z.object({
  total: z.int(),
  new: z.int(),
  in_progress: z.int(),
  complete: z.int(),
});

export const DatasetSchema = z.object({
  id: z.string(),
  name: DatasetNameSchema,
  description: z.string(),
  image_counts: ImageCountsSchema,
  created_at: timestamp,
  updated_at: timestamp,
});
export type Dataset = z.infer<typeof DatasetSchema>;

export const DatasetCreateSchema = z.object({
  name: DatasetNameSchema,
  description: z
    .string()
    .max(2000, { error: "description must be at most 2000 characters" })
    .default(""),
  classes: ClassListSchema.default([]),
});
export const DatasetUpdateSchema = z.object({
  dataset: DatasetNameSchema,
  name: DatasetNameSchema.optional(),
  description: z.string().max(2000).optional(),
});
export const DatasetRefSchema = z.object({ dataset: DatasetNameSchema });

export const ClassSchema = ClassDefSchema.extend({ position: z.int().nonnegative() });
export type Class = z.infer<typeof ClassSchema>;
export const ClassesReplaceSchema = z.object({
  dataset: DatasetNameSchema,
  classes: ClassListSchema,
});

export const ImageSchema = ImageRecordSchema.extend({
  id: z.string(),
  dataset_name: DatasetNameSchema,
  sha256: z.string(),
  size_bytes: z.int(),
  mime: z.string(),
  annotation_count: z.int(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type Image = z.infer<typeof ImageSchema>;

export const ImageListSchema = PageParamsSchema.extend({
  dataset: DatasetNameSchema,
  status: ImageStatusSchema.optional(),
  split: SplitSchema.optional(),
  class_name: ClassNameSchema.optional(),
});
export const ImageRefSchema = z.object({ dataset: DatasetNameSchema, path: ImagePathSchema });
export const ImageUpdateSchema = ImageRefSchema.extend({
  status: ImageStatusSchema.optional(),
  split: SplitSchema.nullable().optional(),
  tags: z.array(z.string().min(1).max(120)).max(100).optional(),
});

export const AnnotationsReplaceSchema = ImageRefSchema.extend({
  annotations: z.array(AnnotationSchema).max(100_000),
});
export const AnnotationsBulkReplaceSchema = z.object({
  dataset: DatasetNameSchema,
  images: z
    .array(z.object({ path: ImagePathSchema, annotations: z.array(AnnotationSchema) }))
    .max(10_000),
});
export const ImageAnnotationsSchema = z.object({
  path: ImagePathSchema,
  annotations: z.array(AnnotationSchema),
});

export const FORMATS = [
  "pictograph",
  "coco",
  "yolo",
  "cvat",
  "pascal_voc",
  "labelme",
  "csv",
] as const;
export const FormatSchema = z.enum(FORMATS, {
  error: `format must be one of: ${FORMATS.join(", ")}`,
});
export type Format = z.infer<typeof FormatSchema>;

export const STATUS_FILTERS = ["all", "new", "in_progress", "complete"] as const;
export const StatusFilterSchema = z.enum(STATUS_FILTERS, {
  error: `status_filter must be one of: ${STATUS_FILTERS.join(", ")}`,
});
export type StatusFilter = z.infer<typeof StatusFilterSchema>;

export const EXPORT_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export const ExportStatusSchema = z.enum(EXPORT_STATUSES, {
  error: `export status must be one of: ${EXPORT_STATUSES.join(", ")}`,
});
export type ExportStatus = z.infer<typeof ExportStatusSchema>;

export const ExportOptionsSchema = z.object({
  format: FormatSchema.default("pictograph"),
  include_images: z.boolean({ error: "include_images must be true or false" }).default(true),
  class_filter: z
    .array(ClassNameSchema)
    .min(1, { error: "class_filter must name at least one class, or be null for all classes" })
    .nullable()
    .default(null),
  status_filter: StatusFilterSchema.default("complete"),
});
export type ExportOptions = z.infer<typeof ExportOptionsSchema>;

export const ExportCreateSchema = ExportOptionsSchema.extend({
  dataset: DatasetNameSchema,
  name: ExportNameSchema,
});
export type ExportCreate = z.input<typeof ExportCreateSchema>;
export const ExportRefSchema = z.object({ dataset: DatasetNameSchema, name: ExportNameSchema });
export const ExportListSchema = PageParamsSchema.extend({
  dataset: DatasetNameSchema.optional(),
  status: ExportStatusSchema.optional(),
});

export const ExportSchema = z.object({
  id: z.string(),
  dataset_name: DatasetNameSchema,
  name: ExportNameSchema,
  format: FormatSchema,
  include_images: z.boolean(),
  class_filter: z.array(z.string()).nullable(),
  status_filter: StatusFilterSchema,
  status: ExportStatusSchema,
  /** Percent done, 0–100. */
  progress: z.number().min(0).max(100),
  image_count: z.int().nullable(),
  annotation_count: z.int().nullable(),
  size_bytes: z.int().nullable(),
  sha256: z.string().nullable(),
  error_message: z.string().nullable(),
  created_at: timestamp,
  completed_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
  download_url: z.string().nullable(),
});
export type Export = z.infer<typeof ExportSchema>;

export const DownloadSchema = z.object({
  url: z.string(),
  expires_at: timestamp,
  size_bytes: z.int().nullable(),
});

export const IMPORT_STATUSES = EXPORT_STATUSES;
export const ImportProblemSchema = z.object({
  file: z.string(),
  line: z.int().nullable().default(null),
  element: z.string().nullable().default(null),
  reason: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblemSchema>;

export const ImportReportSchema = z.object({
  images: z.int(),
  annotations: z.int(),
  image_files: z.int(),
  problems: z.array(ImportProblemSchema),
  problems_truncated: z.int().default(0),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export const ImportSchema = z.object({
  id: z.string(),
  dataset_name: DatasetNameSchema,
  format: FormatSchema,
  status: ExportStatusSchema,
  progress: z.number().min(0).max(100),
  report: ImportReportSchema.nullable(),
  error_message: z.string().nullable(),
  created_at: timestamp,
  completed_at: timestamp.nullable(),
});
export type Import = z.infer<typeof ImportSchema>;

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: RoleSchema,
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const ApiKeyCreateSchema = z.object({
  name: z
    .string()
    .min(1, { error: "key name must be 1–120 characters" })
    .max(120, { error: "key name must be 1–120 characters" }),
  role: RoleSchema.default("member"),
});
export const ApiKeyCreatedSchema = ApiKeySchema.extend({ key: z.string() });

export { DatasetImageSchema };
