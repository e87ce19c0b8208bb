// Errors a BlobStore caller can act on. Only these cross the package boundary for expected
// failures; anything else is a bug and is rethrown as it came.

/** The key names no stored object (maps to 404 at the API). */
export class BlobNotFoundError extends Error {
  override readonly name = "BlobNotFoundError";
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
  }
}

/** The key (or list prefix) is not a safe relative POSIX path. */
export class InvalidKeyError extends Error {
  override readonly name = "InvalidKeyError";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** The requested byte range cannot be served (maps to 416 at the API). */
export class InvalidRangeError extends Error {
  override readonly name = "InvalidRangeError";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid byte range for ${key}: ${reason}`);
  }
}

/**
 * Storage could not be reached or refused the operation (network, 5xx, credentials, full or
 * read-only disk). The message starts with "storage unavailable:" and says what to check;
 * the operation may succeed when retried later.
 */
export class StorageUnavailableError extends Error {
  override readonly name = "StorageUnavailableError";
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`storage unavailable: ${detail}`, options);
  }
}
