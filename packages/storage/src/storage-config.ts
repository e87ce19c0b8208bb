// The configuration that picks and sets up a storage driver. Apps build it from their own
// env.ts; this module never reads process.env. Pure: no I/O.

export interface LocalStorageConfig {
  driver: "local";
  /** Root directory of the blobs; resolved to an absolute path when the store is created. */
  dir: string;
}

export interface S3StorageConfig {
  driver: "s3";
  /** For S3-compatible servers (MinIO, s3rver); omit for AWS. */
  endpoint?: string;
  /** Where clients reach the same server, when it differs from `endpoint` (a compose
   * network name is not reachable from a browser): download URLs are presigned for it. */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  /** Both or neither; without them the AWS default credential chain is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Defaults to true when `endpoint` is set (most S3-compatible servers need path style). */
  forcePathStyle?: boolean;
  /** Multipart part size; at least 5 MiB, which is S3's minimum. Default 8 MiB. */
  partSizeBytes?: number;
  /** Keys per ListObjectsV2 page, 1–1000. Default 1000. */
  listPageSize?: number;
}

export type StorageConfig = LocalStorageConfig | S3StorageConfig;

export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** Thrown with every problem found, one per clause, so a deployer fixes them in one go. */
export class StorageConfigError extends Error {
  override readonly name = "StorageConfigError";
  constructor(readonly issues: string[]) {
    super(`invalid storage configuration: ${issues.join("; ")}`);
  }
}

/** Checks an untrusted object (e.g. assembled from environment variables) and returns it typed. */
export function parseStorageConfig(input: unknown): StorageConfig {
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const issues: string[] = [];
  const text = (field: string, required: boolean): string | undefined => {
    const value = raw[field];
    if (value === undefined || value === "") {
      if (required) issues.push(`${field} is required`);
      return undefined;
    }
    if (typeof value !== "string") issues.push(`${field} must be a string`);
    return typeof value === "string" ? value : undefined;
  };

  if (raw.driver === "local") {
    const dir = text("dir", true);
    if (issues.length > 0 || dir === undefined) throw new StorageConfigError(issues);
    return { driver: "local", dir };
  }
  if (raw.driver !== "s3") {
    throw new StorageConfigError([
      `driver must be "local" or "s3", got ${JSON.stringify(raw.driver)}`,
    ]);
  }

  const endpoint = text("endpoint", false);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    issues.push(`endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  const publicEndpoint = text("publicEndpoint", false);
  if (publicEndpoint !== undefined && !/^https?:\/\/[^/]/.test(publicEndpoint)) {
    issues.push(`publicEndpoint must be an http(s) URL, got ${JSON.stringify(publicEndpoint)}`);
  }
  const bucket = text("bucket", true);
  const region = text("region", true);
  const accessKeyId = text("accessKeyId", false);
  const secretAccessKey = text("secretAccessKey", false);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    issues.push("accessKeyId and secretAccessKey must be given together");
  }
  const forcePathStyle = raw.forcePathStyle;
  if (forcePathStyle !== undefined && typeof forcePathStyle !== "boolean") {
    issues.push("forcePathStyle must be a boolean");
  }
  const partSizeBytes = raw.partSizeBytes;
  if (
    partSizeBytes !== undefined &&
    !(Number.isSafeInteger(partSizeBytes) && (partSizeBytes as number) >= MIN_PART_SIZE_BYTES)
  ) {
    issues.push(`partSizeBytes must be an integer of at least ${MIN_PART_SIZE_BYTES} (5 MiB)`);
  }
  const listPageSize = raw.listPageSize;
  if (
    listPageSize !== undefined &&
    !(
      Number.isInteger(listPageSize) &&
      (listPageSize as number) >= 1 &&
      (listPageSize as number) <= 1000
    )
  ) {
    issues.push("listPageSize must be an integer from 1 to 1000");
  }
  if (issues.length > 0 || bucket === undefined || region === undefined) {
    throw new StorageConfigError(issues);
  }
  return {
    driver: "s3",
    bucket,
    region,
    ...(endpoint !== undefined && { endpoint }),
    ...(publicEndpoint !== undefined && { publicEndpoint }),
    ...(accessKeyId !== undefined && { accessKeyId }),
    ...(secretAccessKey !== undefined && { secretAccessKey }),
    ...(forcePathStyle !== undefined && { forcePathStyle: forcePathStyle as boolean }),
    ...(partSizeBytes !== undefined && { partSizeBytes: partSizeBytes as number }),
    ...(listPageSize !== undefined && { listPageSize: listPageSize as number }),
  };
}
