// The BlobStore contract every storage driver implements (a local directory or S3).
// Types only: no I/O here, and nothing in this file may depend on a particular driver.
import { type Readable } from "node:stream";

export type StorageDriver = "local" | "s3";

/** A body to store: a Node stream (e.g. an HTTP request), any async byte source, or bytes. */
export type BlobBody = Readable | AsyncIterable<Uint8Array> | Uint8Array;

export interface PutOptions {
  /** Stored as the object's Content-Type on S3; the local driver keeps bytes only. */
  contentType?: string;
  /** Aborting rejects `put` promptly and leaves nothing behind under the key. */
  signal?: AbortSignal;
}

export interface PutResult {
  size: number;
  /** Lower-case hex SHA-256 of exactly the bytes stored. */
  sha256: string;
}

/** Inclusive byte offsets, as in an HTTP Range header; `end` past the last byte is clamped. */
export interface ByteRange {
  start?: number;
  end?: number;
}

export interface BlobStat {
  size: number;
  modifiedAt: Date;
}

export interface BlobListing extends BlobStat {
  key: string;
}

export interface PresignGetOptions {
  expiresInSeconds: number;
  /** The name the browser saves the download as (Content-Disposition: attachment). */
  fileName: string;
}

export interface BlobStore {
  readonly driver: StorageDriver;
  /**
   * Streams `body` to `key`, computing size and SHA-256 on the way. Atomic: readers see the
   * previous object (or none) until the whole body is stored; a failed or aborted put leaves
   * no object and no partial upload behind. A chunk of this store's get() handed to put()
   * may be read into again once it is written: keep no reference to it.
   */
  put(key: string, body: BlobBody, opts?: PutOptions): Promise<PutResult>;
  /** A stream of the object's bytes (or the requested range); throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** `null` when the key does not exist. */
  stat(key: string): Promise<BlobStat | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Every stored object whose key starts with `prefix`, page by page; order is unspecified. */
  list(prefix: string): AsyncIterable<BlobListing>;
  /**
   * A time-limited URL that downloads the object directly from storage, or `null` when the
   * driver has none (local: the web app serves files through its own signed route).
   */
  presignGet(key: string, opts: PresignGetOptions): Promise<string | null>;
  /** Resolves when storage is reachable and writable; throws StorageUnavailableError otherwise. */
  healthCheck(): Promise<void>;
  /**
   * Removes what crashed writers left behind (local: temp files; s3: unfinished multipart
   * uploads) older than `olderThanMs`. Returns how many were removed.
   */
  removeStaleTemp(olderThanMs: number): Promise<number>;
}
