// Export and import jobs as rows: what was asked for, where it stands, and what it produced.
// The table constant is `datasetExports`, never `exports` (STYLE.md item 7).
import {
  EXPORT_STATUSES,
  FORMATS,
  IMPORT_STATUSES,
  STATUS_FILTERS,
  type ImportReport,
} from "@pictograph/schema";
import { desc, sql } from "drizzle-orm";
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
import { byteOrderText, checkOneOf, createdAt, optionalTimestamp, uuidPrimaryKey } from "./columns";
import { datasets } from "./datasets";
import { workspaces } from "./workspaces";

export const datasetExports = pgTable(
  "exports",
  {
    id: uuidPrimaryKey(),
    // Denormalised for listing a workspace's exports; the composite foreign key below keeps
    // it equal to the dataset's workspace.
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    datasetId: uuid().notNull(),
    name: byteOrderText().notNull(),
    format: text({ enum: FORMATS }).notNull(),
    includeImages: boolean().notNull(),
    /** Class names to keep; null keeps every class. */
    classFilter: text().array(),
    statusFilter: text({ enum: STATUS_FILTERS }).notNull(),
    status: text({ enum: EXPORT_STATUSES }).notNull().default("pending"),
    /** Percent done, 0–100. */
    progress: doublePrecision().notNull().default(0),
    imageCount: integer(),
    annotationCount: integer(),
    sizeBytes: bigint({ mode: "number" }),
    sha256: text(),
    blobKey: text(),
    errorMessage: text(),
    /** Client-chosen key that makes a retried create return the first export. */
    idempotencyKey: text(),
    /** Builds started so far, including retries after a crash. */
    attempts: integer().notNull().default(0),
    /** Which worker built (or is building) it. */
    workerId: text(),
    createdAt: createdAt(),
    startedAt: optionalTimestamp(),
    heartbeatAt: optionalTimestamp(),
    completedAt: optionalTimestamp(),
    expiresAt: optionalTimestamp(),
  },
  (t) => [
    foreignKey({
      name: "exports_dataset_fkey",
      columns: [t.datasetId, t.workspaceId],
      foreignColumns: [datasets.id, datasets.workspaceId],
    }).onDelete("cascade"),
    unique("exports_dataset_id_name_key").on(t.datasetId, t.name),
    // NULLs are distinct, so only keys that were given must be unique.
    unique("exports_workspace_id_idempotency_key_key").on(t.workspaceId, t.idempotencyKey),
    index("exports_workspace_id_created_at_id_idx").on(
      t.workspaceId,
      desc(t.createdAt),
      desc(t.id),
    ),
    index("exports_dataset_id_created_at_id_idx").on(t.datasetId, desc(t.createdAt), desc(t.id)),
    checkOneOf("exports_format_check", t.format, FORMATS),
    checkOneOf("exports_status_filter_check", t.statusFilter, STATUS_FILTERS),
    checkOneOf("exports_status_check", t.status, EXPORT_STATUSES),
    check("exports_progress_check", sql`${t.progress} BETWEEN 0 AND 100`),
    check("exports_attempts_check", sql`${t.attempts} >= 0`),
    check("exports_class_filter_check", sql`cardinality(${t.classFilter}) > 0`),
  ],
);

export const datasetImports = pgTable(
  "imports",
  {
    id: uuidPrimaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    datasetId: uuid().notNull(),
    format: text({ enum: FORMATS }).notNull(),
    status: text({ enum: IMPORT_STATUSES }).notNull().default("pending"),
    progress: doublePrecision().notNull().default(0),
    /** The uploaded archive. */
    blobKey: text(),
    report: jsonb().$type<ImportReport>(),
    errorMessage: text(),
    attempts: integer().notNull().default(0),
    createdAt: createdAt(),
    startedAt: optionalTimestamp(),
    completedAt: optionalTimestamp(),
  },
  (t) => [
    foreignKey({
      name: "imports_dataset_fkey",
      columns: [t.datasetId, t.workspaceId],
      foreignColumns: [datasets.id, datasets.workspaceId],
    }).onDelete("cascade"),
    index("imports_dataset_id_created_at_idx").on(t.datasetId, desc(t.createdAt)),
    checkOneOf("imports_format_check", t.format, FORMATS),
    checkOneOf("imports_status_check", t.status, IMPORT_STATUSES),
    check("imports_progress_check", sql`${t.progress} BETWEEN 0 AND 100`),
    check("imports_attempts_check", sql`${t.attempts} >= 0`),
  ],
);

export type ExportRow = typeof datasetExports.$inferSelect;
export type ImportRow = typeof datasetImports.$inferSelect;
