// The API benchmark's load: N clients, each one request at a time with no think time, over
// real HTTP with the global fetch (undici, keep-alive), for a fixed time. Every response
// body is read to its end; any non-2xx, network error or short ZIP counts as an error and
// the first few are kept verbatim. It only sends requests: starting the server is the
// caller's business.
import { FORMATS } from "@pictograph/schema";

export type Operation = "create" | "list" | "get" | "download" | "zip" | "health";

/** Share of each client's iterations: reads dominate, as with people and scripts polling. */
export const EXPORT_MIX: ReadonlyArray<[Exclude<Operation, "zip" | "health">, number]> = [
  ["create", 0.1],
  ["list", 0.2],
  ["get", 0.35],
  ["download", 0.35],
];

export type OperationStats = {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Bytes of response bodies read (the ZIPs, for `zip`). */
  bytes: number;
};

export type LoadResult = {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  operations: Partial<Record<Operation, OperationStats>>;
  /** The first few failures, verbatim. */
  errorSamples: string[];
  /** Names of the exports the run created (each unique). */
  created: string[];
  /** CPU time of this (load-generating) process during the run. */
  clientCpuMs: number;
};

type Recorder = {
  latencies: Map<Operation, number[]>;
  errors: Map<Operation, number>;
  bytes: Map<Operation, number>;
  samples: string[];
};

const MAX_ERROR_SAMPLES = 5;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function record(rec: Recorder, op: Operation, ms: number, bytes = 0): void {
  let list = rec.latencies.get(op);
  if (!list) rec.latencies.set(op, (list = []));
  list.push(ms);
  rec.bytes.set(op, (rec.bytes.get(op) ?? 0) + bytes);
}

function fail(rec: Recorder, op: Operation, what: string): void {
  rec.errors.set(op, (rec.errors.get(op) ?? 0) + 1);
  if (rec.samples.length < MAX_ERROR_SAMPLES) rec.samples.push(`${op}: ${what}`);
}

/** One request, its body read to the end; the latency includes the body. */
async function timed(
  rec: Recorder,
  op: Operation,
  url: string,
  init: RequestInit,
): Promise<{ ok: boolean; status: number; body: Uint8Array } | null> {
  const began = performance.now();
  try {
    const response = await fetch(url, init);
    const body = new Uint8Array(await response.arrayBuffer());
    const ms = performance.now() - began;
    record(rec, op, ms, body.byteLength);
    if (!response.ok) {
      fail(
        rec,
        op,
        `${init.method ?? "GET"} ${url} → ${response.status} ${Buffer.from(body.subarray(0, 300)).toString("utf8")}`,
      );
      return { ok: false, status: response.status, body };
    }
    return { ok: true, status: response.status, body };
  } catch (error) {
    record(rec, op, performance.now() - began);
    const cause = (error as Error & { cause?: Error }).cause;
    fail(
      rec,
      op,
      `${init.method ?? "GET"} ${url} → ${(error as Error).message}${cause ? ` (${cause.message})` : ""}`,
    );
    return null;
  }
}

function summarize(
  rec: Recorder,
  seconds: number,
): Pick<LoadResult, "requests" | "errors" | "requestsPerSecond" | "operations" | "errorSamples"> {
  const operations: LoadResult["operations"] = {};
  let requests = 0;
  let errors = 0;
  for (const [op, latencies] of rec.latencies) {
    const sorted = [...latencies].sort((a, b) => a - b);
    const opErrors = rec.errors.get(op) ?? 0;
    requests += sorted.length;
    errors += opErrors;
    operations[op] = {
      requests: sorted.length,
      errors: opErrors,
      requestsPerSecond: Math.round((sorted.length / seconds) * 10) / 10,
      p50Ms: Math.round(percentile(sorted, 0.5) * 10) / 10,
      p99Ms: Math.round(percentile(sorted, 0.99) * 10) / 10,
      maxMs: Math.round(sorted.at(-1)! * 10) / 10,
      bytes: rec.bytes.get(op) ?? 0,
    };
  }
  return {
    requests,
    errors,
    requestsPerSecond: Math.round((requests / seconds) * 10) / 10,
    operations,
    errorSamples: rec.samples,
  };
}

function newRecorder(): Recorder {
  return { latencies: new Map(), errors: new Map(), bytes: new Map(), samples: [] };
}

async function forClients(
  clients: number,
  seconds: number,
  loop: (client: number, until: number) => Promise<void>,
): Promise<{ seconds: number; clientCpuMs: number }> {
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const until = began + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, client) => loop(client, until)));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds: (performance.now() - began) / 1000,
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
}

/** `clients` loops of GET `url` for `seconds`: the floor the API's figures are read against. */
export async function runTrivialLoad(params: {
  url: string;
  clients: number;
  seconds: number;
}): Promise<LoadResult> {
  const rec = newRecorder();
  const { seconds, clientCpuMs } = await forClients(
    params.clients,
    params.seconds,
    async (_client, until) => {
      while (performance.now() < until) await timed(rec, "health", params.url, {});
    },
  );
  return { clients: params.clients, seconds, ...summarize(rec, seconds), created: [], clientCpuMs };
}

/**
 * The export mix against one server: `dataset` must exist with `seedExports` already
 * completed, so downloads have something to fetch from the first second. Exports a client
 * has seen completed join the download pool; gets pick among every export created so far.
 */
export async function runExportLoad(params: {
  baseUrl: string;
  apiKey: string;
  dataset: string;
  seedExports: string[];
  clients: number;
  seconds: number;
  /** Unique per run, so names never collide with an earlier run's. */
  runId: string;
}): Promise<LoadResult> {
  const rec = newRecorder();
  const api = `${params.baseUrl}/api/v1`;
  const auth = { authorization: `Bearer ${params.apiKey}` };
  const datasetPath = `${api}/datasets/${encodeURIComponent(params.dataset)}/exports`;
  const known: string[] = [...params.seedExports];
  const completed = new Set<string>(params.seedExports);
  const completedList: string[] = [...params.seedExports];
  const created: string[] = [];
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  const chooseOperation = () => {
    let roll = Math.random();
    for (const [op, share] of EXPORT_MIX) if ((roll -= share) < 0) return op;
    return EXPORT_MIX.at(-1)![0];
  };

  const { seconds, clientCpuMs } = await forClients(
    params.clients,
    params.seconds,
    async (client, until) => {
      let sequence = 0;
      while (performance.now() < until) {
        const op = chooseOperation();
        if (op === "create") {
          const name = `${params.runId}-c${client}-${sequence++}`;
          const format = FORMATS[(client + sequence) % FORMATS.length]!;
          const reply = await timed(rec, "create", datasetPath, {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ name, format, include_images: false }),
          });
          if (reply?.ok) {
            created.push(name);
            known.push(name);
          }
        } else if (op === "list") {
          await timed(rec, "list", `${api}/exports?limit=50`, { headers: auth });
        } else if (op === "get") {
          const name = pick(known);
          const reply = await timed(rec, "get", `${datasetPath}/${name}`, { headers: auth });
          if (reply?.ok && !completed.has(name)) {
            const body = JSON.parse(Buffer.from(reply.body).toString("utf8")) as {
              status: string;
            };
            if (body.status === "completed") {
              completed.add(name);
              completedList.push(name);
            }
          }
        } else {
          const name = pick(completedList);
          const reply = await timed(rec, "download", `${datasetPath}/${name}/download`, {
            headers: auth,
          });
          if (!reply?.ok) continue;
          const signed = JSON.parse(Buffer.from(reply.body).toString("utf8")) as {
            url: string;
            size_bytes: number;
          };
          const zip = await timed(rec, "zip", signed.url, {});
          if (zip?.ok && zip.body.byteLength !== signed.size_bytes)
            fail(
              rec,
              "zip",
              `${name}: ${zip.body.byteLength} bytes read, the export says ${signed.size_bytes}`,
            );
          else if (
            zip?.ok &&
            Buffer.from(zip.body.subarray(0, 4)).toString("latin1") !== "PK\x03\x04"
          )
            fail(rec, "zip", `${name}: the body is not a ZIP`);
        }
      }
    },
  );
  return { clients: params.clients, seconds, ...summarize(rec, seconds), created, clientCpuMs };
}
