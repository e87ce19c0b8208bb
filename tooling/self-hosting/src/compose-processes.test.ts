// `docker compose up` without a Docker engine: the exact commands of docker-compose.yml's
// migrate, web and worker services (three workers, as `--scale worker=3`), with the
// environment the containers would get, as plain processes against a real PostgreSQL and a
// real S3-compatible server. The commands run build output: vitest's global setup
// (src/image-build.global-setup.ts) first runs the Dockerfile's build steps here. Then an export of every format through
// @pictograph/sdk, and the proof that the workers shared the builds and built each exactly once.
// Runs only when TEST_DATABASE_URL is set; creates and drops its own database.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FORMATS } from "../../../packages/schema/src/resources";
import { Client } from "../../../packages/sdk/src/index";
import { createBlobStore } from "../../../packages/storage/src/index";
import {
  startS3TestServer,
  TEST_BUCKET,
  type S3TestServer,
} from "../../../packages/storage/test/s3-test-server";
import { freePort } from "@pictograph/test-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCompose } from "./compose-file";
import { readDockerfile } from "./dockerfile";
import { noisePng } from "./noise-png";
import { sampleDotEnv } from "./sample-dot-env";
import { createScratchDatabase, type ScratchDatabase } from "./scratch-database";
import {
  runServiceToCompletion,
  serviceProcessSpec,
  startServiceProcess,
  type ProcessSpec,
  type ServiceProcess,
} from "./service-process";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const WORKERS = 3;
const IMAGES = 12;

describe.skipIf(!TEST_DATABASE_URL)("docker-compose.yml's services, run as plain processes", () => {
  let database: ScratchDatabase;
  let s3: S3TestServer;
  let dataDir: string;
  const running: ServiceProcess[] = [];
  let web: ServiceProcess;
  let webUrl = "";
  const workerHealthPorts: number[] = [];
  let migrateOutput = "";
  let apiKey = "";

  /** The operator's .env: .env.example with secrets filled, pointing at this host's services. */
  let dotEnv: Record<string, string>;
  const dockerfile = readDockerfile();
  const host = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() };
  const spec = (service: string, hostDifferences: Record<string, string>): ProcessSpec =>
    serviceProcessSpec({
      compose: loadCompose(dotEnv),
      dockerfile,
      service,
      dotEnv,
      hostDifferences: { PICTOGRAPH_DATA_DIR: dataDir, HOST: "127.0.0.1", ...hostDifferences },
      host,
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pictograph-compose-"));
    [database, s3] = await Promise.all([
      createScratchDatabase(TEST_DATABASE_URL!, "pictograph_compose"),
      startS3TestServer(),
    ]);
    const s3Config = s3.config();
    dotEnv = {
      ...sampleDotEnv(),
      // An external PostgreSQL and S3, as the guide's configuration reference describes.
      DATABASE_URL: database.url,
      S3_ENDPOINT: s3.endpoint,
      // Clients (the SDK here) reach the same server: downloads are presigned for it.
      S3_PUBLIC_ENDPOINT: s3.endpoint,
      S3_BUCKET: TEST_BUCKET,
      S3_ACCESS_KEY_ID: s3Config.accessKeyId!,
      S3_SECRET_ACCESS_KEY: s3Config.secretAccessKey!,
    };

    const migrate = await runServiceToCompletion("migrate", spec("migrate", {}), 60_000);
    migrateOutput = migrate.output;
    expect(migrate.code, migrate.output).toBe(0);

    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    web = startServiceProcess("web", spec("web", { PORT: String(webPort) }));
    running.push(web);
    for (let i = 1; i <= WORKERS; i++) {
      const port = await freePort();
      workerHealthPorts.push(port);
      running.push(
        startServiceProcess(
          `worker-${i}`,
          spec("worker", { WORKER_ID: `worker-${i}`, WORKER_HEALTH_PORT: String(port) }),
        ),
      );
    }
    await Promise.all([
      web.waitFor(/\[pictograph\] ready on/, 60_000),
      ...running.slice(1).map((worker) => worker.waitFor(/ready: \d+ at a time/, 60_000)),
    ]);

    // `docker compose exec web node dist/admin.mjs …`, as the guide says.
    const admin = async (...args: string[]) => {
      const base = spec("web", {});
      const result = await runServiceToCompletion(
        "admin",
        { ...base, argv: ["node", "dist/admin.mjs", ...args] },
        60_000,
      );
      expect(result.code, result.output).toBe(0);
      return result.output;
    };
    await admin("create-workspace", "selfhost");
    apiKey = /^(pg_\S+)$/m.exec(
      await admin(
        "create-api-key",
        "--workspace",
        "selfhost",
        "--role",
        "admin",
        "--name",
        "compose-test",
      ),
    )![1]!;
  }, 150_000);

  afterAll(async () => {
    const codes = await Promise.all(running.map((service) => service.stop()));
    // Every service stops cleanly on SIGTERM, as `docker compose down` asks it to.
    expect(codes).toEqual(running.map(() => 0));
    await Promise.all([database?.drop(), s3?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("migrate applies the migrations and the queue schema, then exits 0", async () => {
    expect(migrateOutput).toContain("[migrate] database and queues are up to date");
    const queues = (await database.query("SELECT name FROM pgboss.queue ORDER BY name")).map(
      ([name]) => name,
    );
    expect(queues).toEqual(expect.arrayContaining(["export.build", "import.run"]));
  });

  it("every long-running service answers its health endpoint", async () => {
    const webHealth = await fetch(`${webUrl}/api/health`);
    expect(webHealth.status).toBe(200);
    expect(await webHealth.json()).toEqual({ status: "ok", mode: "postgres", worker: false });
    // The same process serves the UI from the production build.
    const signIn = await fetch(`${webUrl}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await signIn.text()).toContain("<title>Sign in");
    expect(signIn.headers.get("x-powered-by")).toBeNull(); // poweredByHeader: false, as built
    for (const [i, port] of workerHealthPorts.entries()) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status, `worker-${i + 1}`).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", worker: `worker-${i + 1}` });
    }
  });

  it("builds an export of every format, spread over the workers, each exactly once", async () => {
    const client = new Client({ baseUrl: webUrl, apiKey });
    await client.datasets.create("streets", {
      classes: [
        { name: "car", color: "#e6194b" },
        { name: "road", color: "#3cb44b" },
        { name: "lane", color: "#ffe119" },
      ],
    });
    const paths = Array.from(
      { length: IMAGES },
      (_, i) => `frames/frame-${String(i).padStart(3, "0")}.png`,
    );
    for (const [i, path] of paths.entries())
      await client.images.upload("streets", path, noisePng(320, 240, i + 1), {
        status: "complete",
        split: "train",
      });
    const road = [
      { x: 0, y: 200 },
      { x: 320, y: 200 },
      { x: 320, y: 240 },
      { x: 0, y: 240 },
    ];
    await client.annotations.bulkReplace(
      "streets",
      paths.map((path, i) => ({
        path,
        annotations: [
          { type: "bbox", class_name: "car", bbox: { x: 10 + i, y: 20, w: 60, h: 40 } },
          { type: "polygon", class_name: "road", polygon: { paths: [road] } },
          {
            type: "polyline",
            class_name: "lane",
            polyline: {
              path: [
                { x: 160, y: 240 },
                { x: 150, y: 120 },
              ],
            },
          },
        ],
      })),
    );

    // All seven at once, each waited for, as `client.exports.create(…, { wait: true })` does.
    const exports = await Promise.all(
      FORMATS.map((format) =>
        client.exports.create("streets", `all-${format}`, {
          format,
          status_filter: "all",
          poll_interval: 0.5,
          timeout: 90,
        }),
      ),
    );
    for (const e of exports) {
      expect(e, e.format).toMatchObject({
        status: "completed",
        error_message: null,
        image_count: IMAGES,
      });
      // The ZIP streams from storage through its signed URL, whole.
      const output = join(dataDir, `${e.name}.zip`);
      const downloaded = await client.exports.download("streets", e.name, { output_path: output });
      expect(downloaded.size_bytes, e.format).toBe(e.size_bytes);
      expect(readFileSync(output).subarray(0, 4).toString("latin1"), e.format).toBe("PK\x03\x04");
    }

    // From the database: who built what, and how many times.
    const rows = await database.query(
      "SELECT id, format, worker_id, attempts FROM exports ORDER BY format",
    );
    expect(rows.map(([, format]) => format).sort()).toEqual([...FORMATS].sort());
    for (const [, format, workerId, attempts] of rows) {
      expect(attempts, format).toBe("1");
      expect(workerId, format).toMatch(/^worker-[1-3]$/);
    }
    const builders = new Set(rows.map(([, , workerId]) => workerId));
    expect(builders.size, `every export was built by ${[...builders].join(", ")}`).toBeGreaterThan(
      1,
    );

    // From the workers' logs: each export finished once, by the worker the row names.
    const workers = running.slice(1);
    for (const [id, format, workerId] of rows) {
      const finishedBy = workers.filter((worker) =>
        worker.output().includes(`export ${id}: completed`),
      );
      expect(
        finishedBy.map((worker) => worker.name),
        format,
      ).toEqual([workerId]);
      expect(finishedBy[0]!.output().split(`export ${id}:`).length - 1, format).toBe(1);
    }

    // From storage: one ZIP per export, the first attempt's.
    const storage = createBlobStore(s3.config());
    const keys: string[] = [];
    for await (const blob of storage.list("exports/")) keys.push(blob.key);
    expect(keys.sort()).toEqual(rows.map(([id]) => `exports/${id}/1.zip`).sort());
  }, 150_000);
});
