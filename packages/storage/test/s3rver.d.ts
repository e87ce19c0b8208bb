// Just enough of s3rver 3.7's surface for test/s3-test-server.ts (it ships no types).
declare module "s3rver" {
  interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
  }
  type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    configureBuckets?: { name: string }[];
  }

  interface S3rverListedObject {
    key: string;
    size: number;
    lastModifiedDate: Date;
    metadata: Record<string, string>;
  }

  interface S3rverStore {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getBucket(bucket: string): Promise<unknown>;
    listObjects(
      bucket: string,
      options: { prefix?: string; startAfter?: string; maxKeys?: number },
    ): Promise<{ objects: S3rverListedObject[]; isTruncated: boolean }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    middleware: S3rverMiddleware[];
    store: S3rverStore;
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
