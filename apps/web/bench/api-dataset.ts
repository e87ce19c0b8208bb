// The API benchmark's small dataset, made through the REST API the way a user would: a
// dataset with three classes, a handful of noise PNGs uploaded, five boxes on each, and a
// few exports built to completion so downloads have something to fetch from the start.
// Talks HTTP only.
import { FORMATS } from "@pictograph/schema";
import { setTimeout as sleep } from "node:timers/promises";
import { noisePng } from "../../../tooling/self-hosting/src/noise-png";

export const DATASET = "bench-api";
export const DATASET_IMAGES = 20;
export const BOXES_PER_IMAGE = 5;
export const SEED_EXPORTS = 7;

async function call(
  baseUrl: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const binary = body instanceof Uint8Array;
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined
        ? {}
        : { "content-type": binary ? "application/octet-stream" : "application/json" }),
    },
    body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

type ExportState = { name: string; status: string; error_message: string | null };

/** Names of every export of DATASET in `status`, through the list endpoint's pages. */
export async function exportNamesWithStatus(
  baseUrl: string,
  apiKey: string,
  status: "completed" | "failed",
): Promise<Set<string>> {
  const names = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = `dataset=${DATASET}&status=${status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = (await call(baseUrl, apiKey, "GET", `/exports?${query}`)) as {
      data: ExportState[];
      next_cursor: string | null;
    };
    for (const e of page.data) names.add(e.name);
    cursor = page.next_cursor;
  } while (cursor);
  return names;
}

/** Creates the dataset and its seed exports; resolves once every seed export is completed. */
export async function prepareDataset(baseUrl: string, apiKey: string): Promise<string[]> {
  const classes = [
    { name: "car", color: "#e6194b" },
    { name: "person", color: "#3cb44b" },
    { name: "bicycle", color: "#4363d8" },
  ];
  await call(baseUrl, apiKey, "POST", "/datasets", { name: DATASET, classes });
  const images = Array.from(
    { length: DATASET_IMAGES },
    (_, i) => `frames/frame-${String(i).padStart(3, "0")}.png`,
  );
  for (const [i, path] of images.entries())
    await call(
      baseUrl,
      apiKey,
      "PUT",
      `/datasets/${DATASET}/images/${path}?status=complete&split=${i % 5 ? "train" : "val"}`,
      new Uint8Array(noisePng(64, 48, i + 1)),
    );
  await call(baseUrl, apiKey, "PUT", `/datasets/${DATASET}/annotations`, {
    images: images.map((path, i) => ({
      path,
      annotations: Array.from({ length: BOXES_PER_IMAGE }, (_, k) => ({
        type: "bbox",
        class_name: classes[(i + k) % classes.length]!.name,
        bbox: { x: 2 + k * 10, y: 3 + k * 6, w: 12, h: 9 },
      })),
    })),
  });
  const seeds = Array.from({ length: SEED_EXPORTS }, (_, i) => `seed-${i}`);
  for (const [i, name] of seeds.entries())
    await call(baseUrl, apiKey, "POST", `/datasets/${DATASET}/exports`, {
      name,
      format: FORMATS[i % FORMATS.length],
      include_images: false,
    });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const states = await Promise.all(
      seeds.map(
        (name) =>
          call(
            baseUrl,
            apiKey,
            "GET",
            `/datasets/${DATASET}/exports/${name}`,
          ) as Promise<ExportState>,
      ),
    );
    const failed = states.find((s) => s.status === "failed");
    if (failed) throw new Error(`seed export ${failed.name} failed: ${failed.error_message}`);
    if (states.every((s) => s.status === "completed")) return seeds;
    if (Date.now() > deadline)
      throw new Error(
        `seed exports not completed in 120 s: ${states.map((s) => `${s.name} ${s.status}`).join(", ")}`,
      );
    await sleep(250);
  }
}
