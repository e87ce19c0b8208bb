export * from "./blob-store";
export * from "./storage-errors";
export * from "./storage-config";
export * from "./create-blob-store";
export { LocalBlobStore, createLocalBlobStore, type LocalBlobStoreOptions } from "./local-store";
export { S3BlobStore, createS3BlobStore } from "./s3-store";
export { assertValidKey, assertValidPrefix } from "./blob-key";
export { formatAttachmentDisposition } from "./content-disposition";
