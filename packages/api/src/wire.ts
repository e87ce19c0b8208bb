// Database rows → the wire objects of @pictograph/schema (snake_case, ISO timestamps).
// Procedures return only these, never a drizzle row (STYLE.md item 4).
import type {
  DatasetClass,
  DatasetWithCounts,
  ExportRow,
  ImageSummary,
  ImportRow,
} from "@pictograph/db";
import type { ApiKey, Class, Dataset, Export, Image, Import } from "@pictograph/schema";

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export function toDataset(row: DatasetWithCounts): Dataset {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    image_counts: row.imageCounts,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function toClass(row: DatasetClass): Class {
  return {
    name: row.name,
    color: row.color,
    attributes: row.attributes,
    keypoints: row.keypoints ?? null,
    position: row.position,
  };
}

export function toImage(row: ImageSummary, datasetName: string): Image {
  return {
    id: row.id,
    dataset_name: datasetName,
    path: row.path,
    width: row.width,
    height: row.height,
    status: row.status,
    split: row.split,
    tags: row.tags,
    sha256: row.sha256 ?? "",
    size_bytes: row.sizeBytes ?? 0,
    mime: row.mime ?? "",
    annotation_count: row.annotationCount,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function toExport(row: ExportRow, datasetName: string, downloadUrl: string | null): Export {
  return {
    id: row.id,
    dataset_name: datasetName,
    name: row.name,
    format: row.format,
    include_images: row.includeImages,
    class_filter: row.classFilter ?? null,
    status_filter: row.statusFilter,
    status: row.status,
    progress: row.progress,
    image_count: row.imageCount,
    annotation_count: row.annotationCount,
    size_bytes: row.sizeBytes,
    sha256: row.sha256,
    error_message: row.errorMessage,
    created_at: iso(row.createdAt),
    completed_at: isoOrNull(row.completedAt),
    expires_at: isoOrNull(row.expiresAt),
    download_url: row.status === "completed" ? downloadUrl : null,
  };
}

export function toImport(row: ImportRow, datasetName: string): Import {
  return {
    id: row.id,
    dataset_name: datasetName,
    format: row.format,
    status: row.status,
    progress: row.progress,
    report: row.report ?? null,
    error_message: row.errorMessage,
    created_at: iso(row.createdAt),
    completed_at: isoOrNull(row.completedAt),
  };
}

export function toApiKey(row: {
  id: string;
  name: string;
  prefix: string;
  role: ApiKey["role"];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    created_at: iso(row.createdAt),
    last_used_at: isoOrNull(row.lastUsedAt),
    revoked_at: isoOrNull(row.revokedAt),
  };
}
