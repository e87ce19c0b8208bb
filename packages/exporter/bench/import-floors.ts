// The imports benchmark's floors: PostgreSQL's COPY FROM of the same rows an import writes
// (images, then their boxes, into the real tables with their indexes and constraints), driven
// by psql, and the importer's reader alone in a child process. Each is timed from spawn to
// exit. The COPY rows go to a dataset the caller creates and removes; nothing else is touched.
import type { ClassDef } from "@pictograph/schema";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchImage } from "../../formats/bench/bench-dataset";

const here = dirname(fileURLToPath(import.meta.url));

function runCommand(command: string, args: string[]): { ms: number; stdout: string } {
  const began = performance.now();
  const run = spawnSync(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  const ms = performance.now() - began;
  if (run.status !== 0)
    throw new Error(`${command} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return { ms, stdout: run.stdout };
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(line)) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

export type CopyFloorFiles = {
  datasetId: string;
  classIds: string[];
  imagesFile: string;
  annotationsFile: string;
  images: number;
  annotations: number;
};

/**
 * TSV files of the rows an import of `images` bench images writes: image rows (with their
 * annotation count) and one row per box, for a dataset with a fixed id and fixed class ids,
 * so the same files load again after the dataset is removed.
 */
export async function writeCopyFloorFiles(
  dir: string,
  images: number,
  classes: ClassDef[],
): Promise<CopyFloorFiles> {
  const datasetId = randomUUID();
  const classIds = classes.map(() => randomUUID());
  const classIndex = new Map(classes.map((c, i) => [c.name, i]));
  const imageIds = Array.from({ length: images }, () => randomUUID());
  const files = {
    imagesFile: join(dir, `copy-images-${images}.tsv`),
    annotationsFile: join(dir, `copy-annotations-${images}.tsv`),
  };
  let annotations = 0;
  await writeLines(
    files.imagesFile,
    (function* () {
      for (let i = 0; i < images; i++) {
        const image = benchImage(i);
        yield `${imageIds[i]}\t${datasetId}\t${image.path}\t${image.width}\t${image.height}\t${image.status}\t${image.split ?? "\\N"}\t${image.annotations.length}\n`;
      }
    })(),
  );
  await writeLines(
    files.annotationsFile,
    (function* () {
      for (let i = 0; i < images; i++) {
        for (const [position, a] of benchImage(i).annotations.entries()) {
          if (a.type !== "bbox") continue;
          annotations++;
          yield `${imageIds[i]}\t${classIds[classIndex.get(a.class_name)!]}\t${position}\tbbox\t${JSON.stringify(a.bbox)}\n`;
        }
      }
    })(),
  );
  return { datasetId, classIds, ...files, images, annotations };
}

/**
 * One COPY floor run: the dataset and its classes are created (untimed), then psql's
 * `\copy … FROM` of the image rows and the box rows is timed, then the dataset is deleted
 * (cascading to its rows) and the tables vacuumed (untimed), ready for the next run.
 */
export function timeCopyFrom(
  databaseUrl: string,
  workspaceId: string,
  files: CopyFloorFiles,
  classes: ClassDef[],
): number {
  const psql = (...commands: string[]) =>
    runCommand("psql", [
      databaseUrl,
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      ...commands.flatMap((c) => ["-c", c]),
    ]);
  const classRows = classes
    .map(
      (c, i) =>
        `('${files.classIds[i]}', '${files.datasetId}', '${c.name.replaceAll("'", "''")}', '${c.color}', ${i})`,
    )
    .join(", ");
  psql(
    `INSERT INTO datasets (id, workspace_id, name) VALUES ('${files.datasetId}', '${workspaceId}', 'copy-floor-${files.images}')`,
    `INSERT INTO classes (id, dataset_id, name, color, position) VALUES ${classRows}`,
  );
  try {
    return psql(
      `\\copy images (id, dataset_id, path, width, height, status, split, annotation_count) FROM '${files.imagesFile}'`,
      `\\copy annotations (image_id, class_id, position, type, geometry) FROM '${files.annotationsFile}'`,
    ).ms;
  } finally {
    psql(`DELETE FROM datasets WHERE id = '${files.datasetId}'`, "VACUUM images, annotations");
  }
}

export type ReadFloor = {
  ms: number;
  cpuMs: number;
  images: number;
  annotations: number;
  baseRssMB: number;
  peakRssMB: number;
};

/** The importer's reader alone over `zipPath`, once, in a child process of its own. */
export function timeReadAlone(zipPath: string, format: string): ReadFloor {
  const { stdout } = runCommand(process.execPath, [
    ...process.execArgv,
    join(here, "import-read-floor.ts"),
    zipPath,
    format,
  ]);
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`import-read-floor printed no result:\n${stdout}`);
  return JSON.parse(line.slice("RESULT ".length)) as ReadFloor;
}
