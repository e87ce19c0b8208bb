// PostgreSQL crashes and comes back mid-export: the web server (apps/web, DATABASE_URL mode)
// and a worker process run against a PostgreSQL server of the test's own, which is stopped
// the way a crash stops it (`pg_ctl stop -m immediate`) while a COCO export is being built,
// and started again seconds later. The export completes; during the outage the API answers
// with the error body rather than hanging or crashing; afterwards it serves requests again
// without being restarted, and a new export completes too.
import { issueApiKey } from "@pictograph/api";
import { ErrorBodySchema } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { startTestServer, type TestServer } from "@pictograph/test-server";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FULL } from "./env";
import { recordFigures } from "./figures";
import {
  countProcessing,
  expectOnlyWholeZips,
  generatedClasses,
  generatedImages,
  openScratch,
  rowsOf,
  startWorkerProcess,
  stopWorkerProcess,
  storeDataset,
  waitFor,
  type Scratch,
  type WorkerProcess,
} from "./harness";
import { startPrivatePostgres, type PrivatePostgres } from "./private-postgres";

const IMAGES = FULL ? 100_000 : 30_000;
const OUTAGE_MS = 5_000;

describe("PostgreSQL restarted mid-export", () => {
  let pg: PrivatePostgres;
  let scratch: Scratch;
  let dir: string;
  let storage: LocalBlobStore;
  let web: TestServer;
  let worker: WorkerProcess;
  let apiKey: string;
  let datasetName: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    scratch = await openScratch("reliability_restart", { serverUrl: pg.url("postgres") });
    dir = await mkdtemp(join(tmpdir(), "pictograph-restart-"));
    storage = createLocalBlobStore({ dir });
    const dataset = await storeDataset(scratch.db, storage, {
      name: "restart",
      images: generatedImages(IMAGES),
      classes: generatedClasses,
      shareIdenticalFiles: true,
    });
    datasetName = dataset.name;
    apiKey = (
      await issueApiKey(scratch.db, {
        workspaceId: dataset.workspaceId,
        role: "admin",
        name: "reliability",
      })
    ).key;
    const env = { DATABASE_URL: scratch.database.url, STORAGE_DIR: dir };
    web = await startTestServer({
      env: {
        ...env,
        PICTOGRAPH_SECRET: randomBytes(32).toString("hex"),
        PICTOGRAPH_RUN_WORKER: "false",
      },
    });
    worker = await startWorkerProcess("restart-worker", { ...env, WORKER_CONCURRENCY: "1" });
  });

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker);
    await web?.stop();
    await scratch?.close().catch(() => {});
    pg?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A failure is explained by what the processes printed.
  afterEach(({ task }) => {
    if (task.result?.state === "fail")
      console.log(`--- web\n${web?.output()}\n--- worker\n${worker?.output()}`);
  });

  /** One API request; a status and the parsed body (or what went wrong on the wire). */
  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    try {
      const response = await fetch(`${web.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      return { status: 0, body: String(error) };
    }
  }

  const exportPath = (name: string) => `/datasets/${datasetName}/exports/${name}`;
  const createExport = (name: string) =>
    call("POST", `/datasets/${datasetName}/exports`, {
      name,
      format: "coco",
      include_images: false,
    });

  it("completes the export and serves the API again, restarting nothing", async () => {
    const created = await createExport("before-crash");
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    await waitFor(
      "the build to be under way",
      async () => {
        const { body } = await call("GET", exportPath("before-crash"));
        return (body as { status: string }).status === "processing";
      },
      120_000,
    );

    console.log(`[restart test] crashing PostgreSQL mid-build at ${new Date().toISOString()}`);
    pg.crash();
    const downAt = Date.now();
    const duringOutage: number[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const answer = await call("GET", exportPath("before-crash"));
      duringOutage.push(answer.status);
      // Refused, not hung and not crashed: a status with the one error body.
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(ErrorBodySchema.safeParse(answer.body).success, JSON.stringify(answer.body)).toBe(
        true,
      );
      await sleep(500);
    }
    pg.start();
    const upAt = Date.now();
    console.log(
      `[restart test] PostgreSQL is back; answers during the outage: ${duringOutage.join(",")}`,
    );

    await waitFor(
      "the API to answer again",
      async () => (await call("GET", "/exports")).status === 200,
      60_000,
    );
    const recoveredMs = Date.now() - upAt;
    const done = await waitFor(
      "the export to complete",
      async () => {
        const { body } = await call("GET", exportPath("before-crash"));
        const row = body as { status: string; error?: string };
        if (row.status === "failed") throw new Error(`the export failed: ${JSON.stringify(row)}`);
        return row.status === "completed" && row;
      },
      200_000,
    );
    const completedMs = Date.now() - upAt;
    console.log(
      `[restart test] the API answered ${recoveredMs} ms after the restart, the export completed after ${completedMs} ms`,
    );

    // The web server that lived through the crash takes and serves a new export end to end.
    expect((await createExport("after-crash")).status).toBe(202);
    await waitFor(
      "the second export to complete",
      async () => {
        const { body } = await call("GET", exportPath("after-crash"));
        return (body as { status: string }).status === "completed";
      },
      60_000,
    );
    expect(web.process.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();

    const rows = await rowsOf(scratch.db, [
      (done as unknown as { id: string }).id,
      ((await call("GET", exportPath("after-crash"))).body as { id: string }).id,
    ]);
    expect(await countProcessing(scratch.db)).toBe(0);
    await expectOnlyWholeZips(storage, rows);
    recordFigures("postgres-restart", {
      images: IMAGES,
      "outage ms": OUTAGE_MS,
      "API answers during the outage": [...new Set(duringOutage)].join("/"),
      "requests during the outage": duringOutage.length,
      "ms from restart to the API answering": recoveredMs,
      "ms from restart to the export completed": completedMs,
      "attempts of the interrupted export": rows[0]!.attempts,
    });
  });
});
