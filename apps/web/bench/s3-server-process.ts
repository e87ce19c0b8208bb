// The compose target's S3-compatible storage in a process of its own (the repository's s3rver
// test server, packages/storage/test/s3-test-server.ts), so that serving ZIPs does not share
// an event loop with the load generator. Prints one `s3: <json>` line with the endpoint and
// the bucket's credentials, then runs until SIGTERM. Bench support only.
import { startS3TestServer } from "../../../packages/storage/test/s3-test-server";

const server = await startS3TestServer();
console.log(`s3: ${JSON.stringify(server.config())}`);
process.once("SIGTERM", () => {
  void server.stop().then(() => process.exit(0));
});
