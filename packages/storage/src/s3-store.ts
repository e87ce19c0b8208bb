// S3 driver (AWS or any S3-compatible server). Objects appear only when a single PUT or a
// multipart upload completes, so readers never see a partial object; a failed multipart
// upload is aborted so no parts linger. Never reads process.env: credentials come in config.
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Readable } from "node:stream";
import { assertValidKey, assertValidPrefix } from "./blob-key";
import { readBlobBody } from "./blob-body";
import {
  type BlobBody,
  type BlobListing,
  type BlobStat,
  type BlobStore,
  type ByteRange,
  type PresignGetOptions,
  type PutOptions,
  type PutResult,
} from "./blob-store";
import { checkByteRange } from "./byte-range";
import { formatAttachmentDisposition } from "./content-disposition";
import { type S3StorageConfig } from "./storage-config";
import { BlobNotFoundError, InvalidRangeError, StorageUnavailableError } from "./storage-errors";

const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4; // parts in flight per put; memory ≈ concurrency × part size
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600; // SigV4 limit

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
const CREDENTIAL_ERRORS = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "CredentialsProviderError",
]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: AwsErrorShape[];
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string | undefined {
  return (error as AwsErrorShape | undefined)?.name;
}

/** The socket-level code of a network failure, looking inside Node's AggregateError too. */
function networkCodeOf(error: unknown): string | undefined {
  const shape = error as AwsErrorShape | undefined;
  const codes = [shape?.code, ...(shape?.errors ?? []).map((inner) => inner.code)];
  return codes.find((code) => code !== undefined && NETWORK_ERROR_CODES.has(code));
}

export class S3BlobStore implements BlobStore {
  readonly driver = "s3";
  readonly bucket: string;
  readonly client: S3Client;
  readonly #where: string;
  readonly #partSize: number;
  readonly #pageSize: number;
  /** Signs download URLs for the endpoint clients use (S3 signatures cover the host). */
  readonly #presigner: S3Client;

  constructor(config: S3StorageConfig) {
    this.bucket = config.bucket;
    this.#where = config.endpoint ?? `AWS S3 (${config.region})`;
    this.#partSize = config.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
    this.#pageSize = config.listPageSize ?? 1000;
    this.client = S3BlobStore.#createClient(config, config.endpoint);
    this.#presigner = config.publicEndpoint
      ? S3BlobStore.#createClient(config, config.publicEndpoint)
      : this.client;
  }

  static #createClient(config: S3StorageConfig, endpoint: string | undefined): S3Client {
    const compatible = config.endpoint !== undefined;
    return new S3Client({
      region: config.region,
      endpoint,
      forcePathStyle: config.forcePathStyle ?? compatible,
      credentials:
        config.accessKeyId !== undefined && config.secretAccessKey !== undefined
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
      // S3-compatible servers often reject the SDK's default CRC32 checksum trailers.
      ...(compatible && {
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
      // Fail fast when the endpoint is down instead of hanging on a black-holed connect.
      requestHandler: { connectionTimeout: 5_000 },
    });
  }

  async put(key: string, body: BlobBody, opts: PutOptions = {}): Promise<PutResult> {
    const reader = readBlobBody(body, opts.signal);
    let bodyFailure: unknown;
    const bodyStream = Readable.from(
      (async function* () {
        try {
          yield* reader.chunks;
        } catch (error) {
          bodyFailure = error;
          throw error;
        }
      })(),
    );
    try {
      assertValidKey(key);
      // Upload sends one PUT when the body fits in a part, otherwise a multipart upload that
      // it aborts on any failure (leavePartsOnError: false), after in-flight parts settle.
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: bodyStream, ContentType: opts.contentType },
        partSize: this.#partSize,
        queueSize: UPLOAD_CONCURRENCY,
        leavePartsOnError: false,
      });
      await upload.done();
      return reader.measured();
    } catch (error) {
      bodyStream.destroy();
      reader.discard();
      // The body's own failure (or the abort) is the caller's business, not a storage outage.
      if (error === bodyFailure) throw error;
      throw this.#mapError(error, `writing ${key}`);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    const checked = checkByteRange(key, range);
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: checked && `bytes=${checked.start}-${checked.end ?? ""}`,
        }),
      );
      if (!(response.Body instanceof Readable)) throw new Error("S3 returned no body stream");
      return response.Body;
    } catch (error) {
      if (nameOf(error) === "NoSuchKey") throw new BlobNotFoundError(key);
      if (nameOf(error) === "InvalidRange" || httpStatusOf(error) === 416) {
        throw new InvalidRangeError(key, `start ${checked?.start} is past the end of the object`);
      }
      throw this.#mapError(error, `reading ${key}`);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw this.#mapError(error, `reading ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.#call(`deleting ${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    assertValidPrefix(prefix);
    let continuationToken: string | undefined;
    do {
      const page = await this.#call(`listing ${prefix || "(all keys)"}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix === "" ? undefined : prefix,
            MaxKeys: this.#pageSize,
            ContinuationToken: continuationToken,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          size: object.Size ?? 0,
          modifiedAt: object.LastModified ?? new Date(0),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async presignGet(key: string, opts: PresignGetOptions): Promise<string> {
    assertValidKey(key);
    const seconds = opts.expiresInSeconds;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
      throw new RangeError(`expiresInSeconds must be an integer from 1 to ${MAX_PRESIGN_SECONDS}`);
    }
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: formatAttachmentDisposition(opts.fileName),
    });
    return getSignedUrl(this.#presigner, command, { expiresIn: seconds });
  }

  async healthCheck(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (httpStatusOf(error) === 404) {
        throw new StorageUnavailableError(
          `bucket "${this.bucket}" does not exist at ${this.#where}`,
          { cause: error },
        );
      }
      throw this.#mapError(error, `checking bucket "${this.bucket}"`);
    }
  }

  /**
   * Aborts multipart uploads started more than `olderThanMs` ago (a crashed writer's parts).
   * Pick a cutoff longer than any upload can take; a bucket lifecycle rule
   * (AbortIncompleteMultipartUpload) is the belt to these braces.
   */
  async removeStaleTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.#call("listing unfinished uploads", () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated) continue;
        if (upload.Initiated.getTime() > cutoff) continue;
        const { Key, UploadId } = upload;
        await this.#call(`aborting the unfinished upload of ${Key}`, () =>
          this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })),
        );
        removed += 1;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
    return removed;
  }

  /** Creates the bucket when missing: for development, tests and docker compose. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (httpStatusOf(error) !== 404)
        throw this.#mapError(error, `checking bucket "${this.bucket}"`);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // Another process created it first.
      if (nameOf(error) === "BucketAlreadyOwnedByYou") return;
      throw this.#mapError(error, `creating bucket "${this.bucket}"`);
    }
  }

  /** Closes pooled connections; the store is unusable afterwards. */
  destroy(): void {
    this.client.destroy();
  }

  async #call<T>(doing: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.#mapError(error, doing);
    }
  }

  /** Outages become StorageUnavailableError with what to check; anything else is rethrown. */
  #mapError(error: unknown, doing: string): unknown {
    const status = httpStatusOf(error);
    const name = nameOf(error) ?? "error";
    const code = networkCodeOf(error);
    let detail: string | undefined;
    if (code !== undefined) {
      detail = `cannot reach ${this.#where} (${code}) while ${doing}`;
    } else if (name === "TimeoutError") {
      detail = `${this.#where} did not answer in time while ${doing}`;
    } else if (
      (status !== undefined && status >= 500) ||
      (error as AwsErrorShape)?.$fault === "server"
    ) {
      detail = `${this.#where} failed with ${status ?? "a server error"} (${name}) while ${doing}`;
    } else if (CREDENTIAL_ERRORS.has(name) || status === 401 || status === 403) {
      detail = `access to bucket "${this.bucket}" at ${this.#where} was denied (${name}) while ${doing}; check the S3 credentials`;
    } else if (name === "NoSuchBucket") {
      detail = `bucket "${this.bucket}" does not exist at ${this.#where}`;
    }
    return detail === undefined ? error : new StorageUnavailableError(detail, { cause: error });
  }
}

export function createS3BlobStore(config: S3StorageConfig): S3BlobStore {
  return new S3BlobStore(config);
}
