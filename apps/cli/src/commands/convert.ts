// `pictograph convert`: reads a ZIP or directory in one format and writes a ZIP in another,
// offline, through the same readers and writers the server uses. Streams: each pass over
// the images reads the input again, so memory holds one image at a time.
import {
  getFormat,
  openArchive,
  writeExportZip,
  type ExportSource,
  type FormatModule,
  type OpenedArchive,
  type SplitCounts,
} from "@pictograph/formats";
import { DatasetNameSchema, StatusFilterSchema, type ImportProblem, type Split } from "@pictograph/schema";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, extname } from "node:path";
import { pipeline } from "node:stream/promises";
import { CliError, EXIT } from "../exit-codes";
import { log, printJson } from "../output";

export type ConvertOptions = {
  from: string;
  to: string;
  output: string;
  lenient?: boolean;
  images?: boolean;
  class?: string[];
  status?: string;
  json?: boolean;
};

export async function convert(input: string, options: ConvertOptions): Promise<void> {
  const reader = formatOrUsageError(options.from);
  const writer = formatOrUsageError(options.to);
  const status = StatusFilterSchema.safeParse(options.status ?? "all");
  if (!status.success) throw new CliError(status.error.issues[0]!.message, EXIT.usage);

  let archive: OpenedArchive;
  try {
    archive = await openArchive(input);
  } catch (error) {
    throw new CliError(`cannot read ${input}: ${(error as Error).message}`);
  }
  try {
    const scan = await scanInput(reader, archive);
    const problems = [...archive.problems, ...scan.problems];
    for (const problem of problems) log(`problem: ${describeProblem(problem)}`);
    if (problems.length && !options.lenient)
      throw new CliError(`${problems.length} problem(s) reading ${input} as ${options.from}; fix them or pass --lenient`);

    const withFiles = scan.files.size;
    const includeImages = options.images !== false && withFiles > 0;
    if (includeImages && withFiles < scan.images)
      throw new CliError(`${scan.images - withFiles} of ${scan.images} images have no file in ${input}; pass --no-images to convert the annotations only`);

    const source: ExportSource = {
      dataset: { name: datasetNameOf(input) },
      classes: scan.classes,
      options: {
        format: writer.id,
        include_images: includeImages,
        class_filter: options.class?.length ? options.class : null,
        status_filter: status.data,
      },
      splitCounts: scan.splitCounts,
      exportedAt: new Date().toISOString(),
      async *images(filter?: { split: Split | null }) {
        const again = await reader.read(archive);
        for await (const { image } of again.images) {
          if (status.data !== "all" && image.status !== status.data) continue;
          if (!filter || image.split === filter.split) yield image;
        }
      },
    };

    const zip = writeExportZip(writer.write, source, {
      mtime: new Date(),
      openImage: (entry) => archive.open(scan.files.get(entry.image.path)!),
    });
    const partial = `${options.output}.part`;
    try {
      await pipeline(zip.stream, createWriteStream(partial));
      const result = await zip.done;
      await rename(partial, options.output);
      const summary = {
        output: options.output,
        from: reader.id,
        to: writer.id,
        images: result.summary.images,
        annotations: result.summary.annotations,
        image_files: result.imageEntries,
        bytes: result.bytes,
        skipped: result.summary.skipped,
        problems: problems.length,
      };
      if (options.json) printJson(summary);
      else {
        log(
          `wrote ${options.output}: ${summary.images} images, ${summary.annotations} annotations, ${summary.image_files} image files (${summary.bytes} bytes)`,
        );
        for (const [reason, n] of Object.entries(summary.skipped)) log(`skipped ${n} x ${reason}`);
      }
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot write ${options.output}: ${(error as Error).message}`);
    }
  } finally {
    await archive.close();
  }
}

function formatOrUsageError(id: string): FormatModule {
  try {
    return getFormat(id);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
}

/** One pass over the input: classes, split counts, problems, and where each image's file is. */
async function scanInput(reader: FormatModule, archive: OpenedArchive) {
  const result = await reader.read(archive);
  const splitCounts: SplitCounts = { train: 0, val: 0, test: 0, none: 0 };
  const files = new Map<string, string>();
  let images = 0;
  for await (const { image, file } of result.images) {
    images++;
    splitCounts[image.split ?? "none"]++;
    if (file) files.set(image.path, file);
  }
  return { classes: result.classes, splitCounts, files, images, problems: result.problems };
}

function datasetNameOf(input: string): string {
  const name = basename(input, extname(input)).replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return DatasetNameSchema.safeParse(name.slice(0, 64)).success ? name.slice(0, 64) : "dataset";
}

function describeProblem(problem: ImportProblem): string {
  const where = [problem.file, problem.line ? `line ${problem.line}` : null, problem.element].filter(Boolean).join(" ");
  return `${where}: ${problem.reason}`;
}
