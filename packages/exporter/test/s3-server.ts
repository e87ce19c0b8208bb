// Test support: the storage package's real S3-compatible test server (a patched s3rver). Its
// type declarations for s3rver are included by tsconfig.json. For tests only.
export {
  startS3TestServer,
  TEST_BUCKET,
  type S3TestServer,
} from "../../storage/test/s3-test-server";
