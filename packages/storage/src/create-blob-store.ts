// Picks the storage driver from configuration: the one place that knows both drivers exist.
import { LocalBlobStore } from "./local-store";
import { S3BlobStore } from "./s3-store";
import {
  parseStorageConfig,
  type LocalStorageConfig,
  type S3StorageConfig,
  type StorageConfig,
} from "./storage-config";

export function createBlobStore(config: LocalStorageConfig): LocalBlobStore;
export function createBlobStore(config: S3StorageConfig): S3BlobStore;
export function createBlobStore(config: StorageConfig): LocalBlobStore | S3BlobStore;
export function createBlobStore(config: StorageConfig): LocalBlobStore | S3BlobStore {
  const checked = parseStorageConfig(config);
  return checked.driver === "local" ? new LocalBlobStore(checked) : new S3BlobStore(checked);
}
