// Test support: the API handler in-process (exactly what the web server mounts at /api/v1) over
// a test database, a local store and a real queue, with a clock the test moves; a workspace
// with an admin key, and the formats fixture stored as a dataset. Exports are built by calling
// buildExport, as a worker would. For tests only.
import { getWorkspaceByName, type DbHandle } from "@pictograph/db";
import type { TestBackend } from "@pictograph/db/testing";
import { buildExport } from "@pictograph/exporter";
import { createJobs, type Jobs } from "@pictograph/jobs";
import type { DatasetImage } from "@pictograph/schema";
import { createLocalBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createApiHandler,
  runAdminCommand,
  type ApiServices,
} from "../../../packages/api/src/index";
import { storeDataset, type StoredDataset } from "../../../packages/exporter/test/fixture-dataset";

export const ORIGIN = "http://pictograph.test";

export type ExportsApi = {
  handle: DbHandle;
  storage: LocalBlobStore;
  jobs: Jobs;
  /** The handler's clock: move it with `clock.now = …`. */
  clock: { now: Date };
  adminKey: string;
  dataset: StoredDataset;
  /** What the handler reported as internal errors (5xx): tests expect none. */
  internalErrors: unknown[];
  /** A request to /api/v1`path` with the admin key (unless `key` is given). */
  call(
    method: string,
    path: string,
    init?: { json?: unknown; headers?: Record<string, string>; key?: string | null },
  ): Promise<Response>;
  /** A request to a full URL (a download link), without any key. */
  fetchUrl(url: string, headers?: Record<string, string>): Promise<Response>;
  /** Builds an export the way a worker does. */
  build(exportId: string): Promise<void>;
  close(): Promise<void>;
};

export async function openExportsApi(
  backend: TestBackend,
  options: { bytesFor?: (image: DatasetImage) => Uint8Array } = {},
): Promise<ExportsApi> {
  const handle = await backend.open();
  const dir = await mkdtemp(join(tmpdir(), "pictograph-exports-api-"));
  const storage = createLocalBlobStore({ dir });
  const jobs = await createJobs({ handle, onError: () => undefined });
  const clock = { now: new Date("2026-03-01T12:00:00.000Z") };
  const services: ApiServices = {
    db: handle.db,
    storage,
    enqueue: async (tx, queue, payload) => {
      await jobs.enqueue(tx, queue, payload as never);
    },
    secret: "exports-api-test-secret-0123456789",
    now: () => clock.now,
    maxUploadBytes: 1024 * 1024,
  };
  const internalErrors: unknown[] = [];
  const api = createApiHandler(services, {
    onInternalError: (error) => internalErrors.push(error),
  });
  const workspace = `ws-${randomUUID().slice(0, 8)}`;
  await runAdminCommand(handle.db, { command: "create-workspace", name: workspace });
  const { key } = await runAdminCommand(handle.db, {
    command: "create-api-key",
    workspace,
    role: "admin",
    name: "test",
  });
  const workspaceId = (await getWorkspaceByName(handle.db, { name: workspace }))!.id;
  const dataset = await storeDataset(handle.db, storage, {
    workspaceId,
    name: "streets",
    bytesFor: options.bytesFor,
  });

  return {
    handle,
    storage,
    jobs,
    clock,
    adminKey: key!,
    dataset,
    internalErrors,
    call(method, path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.key !== null) headers.set("x-api-key", init.key ?? key!);
      let body: string | undefined;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers.set("content-type", "application/json");
      }
      return api.handleRest(new Request(`${ORIGIN}/api/v1${path}`, { method, headers, body }));
    },
    fetchUrl(url, headers = {}) {
      return api.handleRest(new Request(url, { headers }));
    },
    async build(exportId) {
      const outcome = await buildExport({ db: handle.db, storage, workerId: "test" }, exportId);
      if (outcome.status !== "completed")
        throw new Error(`the build ended ${JSON.stringify(outcome)}`);
    },
    async close() {
      await jobs.stop({ timeoutMs: 2_000 }).catch(() => undefined);
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
