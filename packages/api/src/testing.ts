// Test support for this package's tests: the API over a fresh test database (PGlite, or
// Postgres when TEST_DATABASE_URL is set), local storage in a temp directory and a real
// pg-boss queue, driven through createApiHandler exactly as HTTP would drive it. Workspaces
// and keys are provisioned the way `pnpm admin` does. For tests only: production code never
// imports this module.
import type { Db, DbHandle } from "@pictograph/db";
import { buildExport, runImport } from "@pictograph/exporter";
import { writeFixtureZip } from "@pictograph/formats/testing";
import type { TestBackend } from "@pictograph/db/testing";
import { createJobs, type JobPayloads as QueuePayloads, type Jobs } from "@pictograph/jobs";
import { ErrorBodySchema, ROLES, type ErrorCode, type Role } from "@pictograph/schema";
import { createBlobStore, type LocalBlobStore } from "@pictograph/storage";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { runAdminCommand } from "./admin";
import { createApiHandler, REST_BASE } from "./http/handler";
import type { ApiServices } from "./services";
import { pngFile } from "./test-images";

export type TestApi = {
  handle: DbHandle;
  db: Db;
  storage: LocalBlobStore;
  storageDir: string;
  services: ApiServices;
  /** The real queue; null when the options asked for `recordJobs`. */
  jobs: Jobs | null;
  /** Jobs enqueued while `recordJobs` is on, in order. */
  recordedJobs: { queue: string; payload: unknown }[];
  api: ReturnType<typeof createApiHandler>;
  /** What the handler reported as internal errors (5xx); tests expect it to stay empty. */
  internalErrors: unknown[];
  close(): Promise<void>;
};

export type TestApiOptions = {
  maxUploadBytes?: number;
  /** Sees every statement the API's queries send. */
  logger?: NonNullable<Parameters<TestBackend["open"]>[0]>["logger"];
  now?: () => Date;
  /** Record enqueued jobs instead of starting pg-boss, for tests where the job is irrelevant. */
  recordJobs?: boolean;
};

/** A fresh database, storage directory and queue, and the API handler over them. */
export async function openTestApi(
  backend: TestBackend,
  options: TestApiOptions = {},
): Promise<TestApi> {
  const handle = await backend.open({ logger: options.logger });
  const storageDir = await mkdtemp(join(tmpdir(), "pictograph-api-test-"));
  const storage = createBlobStore({ driver: "local", dir: storageDir });
  const jobs = options.recordJobs ? null : await createJobs({ handle, onError: () => undefined });
  const recordedJobs: TestApi["recordedJobs"] = [];
  const services: ApiServices = {
    db: handle.db,
    storage,
    enqueue: async (tx, queue, payload) => {
      if (jobs) await jobs.enqueue(tx, queue, payload as QueuePayloads[typeof queue]);
      else recordedJobs.push({ queue, payload });
    },
    secret: "test-secret-0123456789abcdef",
    now: options.now ?? (() => new Date()),
    maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024,
  };
  const internalErrors: unknown[] = [];
  const api = createApiHandler(services, {
    onInternalError: (error) => internalErrors.push(error),
  });
  return {
    handle,
    db: handle.db,
    storage,
    storageDir,
    services,
    jobs,
    recordedJobs,
    api,
    internalErrors,
    async close() {
      await jobs?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
      await handle.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export type TestWorkspace = { name: string; keys: Record<Role, string> };

/** A workspace with a unique name and one API key per role, made as `pnpm admin` makes them. */
export async function provisionWorkspace(
  db: Db,
  name = `ws-${randomUUID().slice(0, 8)}`,
): Promise<TestWorkspace> {
  await runAdminCommand(db, { command: "create-workspace", name });
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) {
    const result = await runAdminCommand(db, {
      command: "create-api-key",
      workspace: name,
      role,
      name: `${role} key`,
    });
    keys[role] = result.key!;
  }
  return { name, keys };
}

export type CallOptions = {
  /** Sent as X-API-Key. */
  key?: string;
  /** Serialised as the JSON body. */
  json?: unknown;
  /** A raw body (bytes, text or a stream). */
  body?: RequestInit["body"];
  headers?: Record<string, string>;
};

export type ApiResponse = {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
  bytes: Uint8Array;
};

/** `path` is under /api/v1 (e.g. `/datasets`); the JSON body is parsed when there is one. */
export async function callRest(
  api: TestApi["api"],
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse> {
  const headers = new Headers(options.headers);
  if (options.key) headers.set("x-api-key", options.key);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers.set("content-type", "application/json");
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  const response = await api.handleRest(
    new Request(`http://pictograph.test${REST_BASE}${path}`, init),
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let parsed: unknown = null;
  if (response.headers.get("content-type")?.includes("json") && text) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, text, bytes };
}

/** Asserts a refusal: the status, the error code and the one error body shape. Returns the message. */
export function expectError(response: ApiResponse, status: number, code: ErrorCode): string {
  const where = `${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, where).toBe(status);
  const parsed = ErrorBodySchema.safeParse(response.body);
  expect(parsed.success, `not the error body: ${where}`).toBe(true);
  const body = parsed.data!;
  expect(body.error.code, where).toBe(code);
  expect(body.error.message.length, where).toBeGreaterThan(0);
  return body.error.message;
}

/** Every file under the storage directory (temp files included), relative to it. */
export async function storedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The JSON body of a response that must have succeeded with `status`. */
export function expectOk<T = Record<string, unknown>>(response: ApiResponse, status = 200): T {
  expect(response.status, `${response.status} ${response.text.slice(0, 300)}`).toBe(status);
  return response.body as T;
}

export type SeededDataset = {
  dataset: string;
  imagePath: string;
  exportName: string;
  exportId: string;
  importId: string;
};

/**
 * A dataset with two classes, one uploaded PNG with an annotation, a completed export and a
 * finished import, all made through the API with `key` (a member or admin key).
 */
export async function seedDataset(
  t: TestApi,
  key: string,
  dataset: string,
): Promise<SeededDataset> {
  const classes = [
    { name: "car", color: "#ff0000" },
    { name: "person", color: "#00ff00", keypoints: ["head", "foot"] },
  ];
  expectOk(
    await callRest(t.api, "POST", "/datasets", { key, json: { name: dataset, classes } }),
    201,
  );
  const imagePath = "batch/one.png";
  expectOk(
    await callRest(t.api, "PUT", `/datasets/${dataset}/images/${imagePath}?status=complete`, {
      key,
      body: pngFile(40, 30),
    }),
    201,
  );
  const annotations = [{ type: "bbox", class_name: "car", bbox: { x: 1, y: 2, w: 10, h: 5 } }];
  expectOk(
    await callRest(t.api, "PUT", `/datasets/${dataset}/annotations/${imagePath}`, {
      key,
      json: { annotations },
    }),
  );
  const exportName = "first";
  const created = expectOk<{ id: string }>(
    await callRest(t.api, "POST", `/datasets/${dataset}/exports`, {
      key,
      json: { name: exportName, format: "coco", status_filter: "all" },
    }),
    202,
  );
  const built = await buildExport({ db: t.db, storage: t.storage, workerId: "test" }, created.id);
  expect(built.status).toBe("completed");
  const zip = join(t.storageDir, "..", `${dataset}-${randomUUID()}.zip`);
  await writeFixtureZip(zip, { format: "yolo" });
  const posted = expectOk<{ id: string }>(
    await callRest(t.api, "POST", `/datasets/${dataset}/imports?format=yolo`, {
      key,
      body: await readFile(zip),
    }),
    202,
  );
  await rm(zip);
  expect((await runImport({ db: t.db, storage: t.storage }, posted.id)).status).toBe("completed");
  return { dataset, imagePath, exportName, exportId: created.id, importId: posted.id };
}
