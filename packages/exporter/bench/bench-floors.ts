// The floors the exports are compared with, measured in the same run: PostgreSQL's COPY of
// the same rows to psql's stdout (/dev/null), and Info-ZIP storing the same image files.
// Each is one external program, timed from spawn to exit; neither touches Pictograph code.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";

function timeCommand(command: string, args: string[], cwd?: string): number {
  const began = performance.now();
  const run = spawnSync(command, args, {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = performance.now() - began;
  if (run.status !== 0)
    throw new Error(`${command} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return ms;
}

/** The COPY floor's query: every (image, box) row of the dataset, in export order. */
export function floorQuery(datasetId: string): string {
  return (
    "SELECT i.path, i.width, i.height, a.class_id, a.geometry FROM images i " +
    `JOIN annotations a ON a.image_id = i.id WHERE i.dataset_id = '${datasetId}' ` +
    "ORDER BY i.path, a.position"
  );
}

/** psql running the COPY, its output thrown away. */
export function timeCopy(databaseUrl: string, datasetId: string): number {
  return timeCommand("psql", [
    databaseUrl,
    "-X",
    "-q",
    "-c",
    `COPY (${floorQuery(datasetId)}) TO STDOUT`,
  ]);
}

/**
 * `zip -0 -r -q` of everything under `dir` into `zipPath` (outside `dir`), optionally followed
 * by what a stored export also does to its ZIP: hash it, and fsync it (our local store
 * fsyncs each put before renaming it into place).
 */
export function timeZipStore(
  dir: string,
  zipPath: string,
  options: { then: null | "sync" | "sha256sum+sync" },
): number {
  rmSync(zipPath, { force: true });
  const after = {
    sync: ' && sync "$0"',
    "sha256sum+sync": ' && sha256sum "$0" > /dev/null && sync "$0"',
  };
  const ms = timeCommand(
    "bash",
    ["-c", `zip -0 -r -q "$0" .${options.then ? after[options.then] : ""}`, zipPath],
    dir,
  );
  rmSync(zipPath, { force: true });
  return ms;
}
