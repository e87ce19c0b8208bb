// `pictograph images upload <dataset> <files or folders…>`: uploads image files, a few at a
// time. A file whose path already holds the same bytes (same SHA-256) is skipped, so running
// the command again after an interruption finishes the job without sending anything twice.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  type Client,
} from "@pictograph/sdk";
import {
  IMAGE_STATUSES,
  SPLITS,
  imagePathProblem,
  type ImageStatus,
  type Split,
} from "@pictograph/schema";
import { Command } from "commander";
import { connect } from "../config";
import { CliError, EXIT } from "../exit-codes";
import { oneOf, positiveInteger } from "../options";
import { formatBytes, log, printJson } from "../output";
import { progressBar } from "../progress";

// What a folder is searched for; a file named on the command line is sent whatever its name.
const IMAGE_EXTENSIONS = new Set([
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".gif",
  ".bmp",
  ".tif",
  ".tiff",
]);

type LocalFile = { file: string; path: string };
type Outcome = LocalFile & {
  result: "uploaded" | "skipped" | "failed";
  sha256: string | null;
  bytes: number;
  error?: string;
};

type UploadOptions = {
  prefix?: string;
  status?: string;
  split?: string;
  concurrency: string;
  json?: boolean;
};

export function imagesCommand(): Command {
  const command = new Command("images").description("upload image files to a dataset");

  command
    .command("upload")
    .description(
      "upload image files; a folder is searched for images, which keep their paths below it. Files already uploaded (same path, same SHA-256) are skipped, so re-running resumes",
    )
    .argument("<dataset>", "the dataset to upload to")
    .argument("<paths...>", "image files and folders")
    .option("--prefix <folder>", "put the images under this folder of the dataset")
    .option("--status <status>", `review status of new images: ${IMAGE_STATUSES.join(", ")}`)
    .option("--split <split>", `split of new images: ${SPLITS.join(", ")}`)
    .option("--concurrency <n>", "uploads at a time", "4")
    .option("--json", "print the outcome of every file as JSON")
    .action(async (dataset: string, paths: string[], options: UploadOptions) => {
      const concurrency = positiveInteger("--concurrency", options.concurrency, 32);
      const status =
        options.status === undefined
          ? undefined
          : oneOf("--status", options.status, IMAGE_STATUSES);
      const split =
        options.split === undefined ? undefined : oneOf("--split", options.split, SPLITS);
      const files = await findImages(paths, options.prefix);
      const client = await connect();
      await client.datasets.get(dataset);
      const known = new Map<string, string>();
      for await (const image of client.images.iter(dataset, { page_size: 200 }))
        known.set(image.path, image.sha256);

      const bar = progressBar(`upload to ${dataset}`, {
        json: options.json,
        total: files.length,
        unit: "files",
      });
      let outcomes: Outcome[];
      try {
        outcomes = await inPool(
          files,
          concurrency,
          async (file) => {
            const outcome = await uploadOne(client, dataset, file, known, { status, split });
            if (outcome.result === "failed") log(`error: ${file.file}: ${outcome.error}`);
            return outcome;
          },
          (done) => bar.update(done),
        );
      } finally {
        bar.stop();
      }
      const count = (result: Outcome["result"]) =>
        outcomes.filter((o) => o.result === result).length;
      const summary = {
        dataset,
        uploaded: count("uploaded"),
        skipped: count("skipped"),
        failed: count("failed"),
      };
      if (options.json) printJson({ ...summary, files: outcomes });
      else {
        const bytes = outcomes
          .filter((o) => o.result === "uploaded")
          .reduce((sum, o) => sum + o.bytes, 0);
        log(
          `uploaded ${summary.uploaded} (${formatBytes(bytes)}), skipped ${summary.skipped} already there, failed ${summary.failed}`,
        );
      }
      if (summary.failed)
        throw new CliError(
          `${summary.failed} of ${files.length} files failed to upload; run the same command again to retry them (files already uploaded are skipped)`,
        );
    });

  return command;
}

async function uploadOne(
  client: Client,
  dataset: string,
  { file, path }: LocalFile,
  known: Map<string, string>,
  params: { status?: ImageStatus; split?: Split },
): Promise<Outcome> {
  let sha256: string | null = null;
  let bytes = 0;
  try {
    ({ sha256, bytes } = await hashFile(file));
    if (known.get(path) === sha256) return { file, path, result: "skipped", sha256, bytes };
    await client.images.upload(dataset, path, file, params);
    return { file, path, result: "uploaded", sha256, bytes };
  } catch (error) {
    // Wrong credentials or a vanished dataset fail every file alike: stop at once.
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) throw error;
    if (error instanceof NotFoundError && /^dataset /.test(error.message)) throw error;
    return { file, path, result: "failed", sha256, bytes, error: (error as Error).message };
  }
}

async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  await pipeline(createReadStream(file), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
  });
  return { sha256: hash.digest("hex"), bytes };
}

/** Runs `work` on every item, `limit` at a time, keeping the items' order in the results. */
async function inPool<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
  onDone: (done: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The files to upload with their paths in the dataset, sorted by path. */
async function findImages(paths: string[], prefix?: string): Promise<LocalFile[]> {
  const found: LocalFile[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new CliError(`${path}: no such file or folder`, EXIT.usage);
    }
    if (info.isDirectory()) {
      for (const file of await walk(path))
        found.push({ file, path: relative(path, file).split(sep).join("/") });
    } else found.push({ file: path, path: basename(path) });
  }
  const folder = prefix?.replace(/^\/+|\/+$/g, "");
  const files = found.map((f) => ({ ...f, path: folder ? `${folder}/${f.path}` : f.path }));
  const seen = new Map<string, string>();
  for (const { file, path } of files) {
    const problem = imagePathProblem(path);
    if (problem)
      throw new CliError(
        `${file}: ${problem} (its path in the dataset would be ${JSON.stringify(path)})`,
        EXIT.usage,
      );
    const other = seen.get(path);
    if (other)
      throw new CliError(
        `${other} and ${file} would both be uploaded as ${JSON.stringify(path)}; use --prefix or upload them separately`,
        EXIT.usage,
      );
    seen.set(path, file);
  }
  if (files.length === 0)
    throw new CliError(`no image files found in ${paths.join(", ")}`, EXIT.usage);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Image files below `folder`, hidden files and folders left out. */
async function walk(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (
      entry.isFile() &&
      IMAGE_EXTENSIONS.has(entry.name.slice(entry.name.lastIndexOf(".")).toLowerCase())
    )
      files.push(path);
  }
  return files;
}
