// `pictograph convert`: reads a ZIP or directory in one format and writes a ZIP in another,
// offline, through the same readers and writers the server uses. Streams: each pass over
// the images reads the input again, so memory holds one image at a time.
import {
  getFormat,
  inPass,
  openArchive,
  useExportHeapPolicy,
  writeExportZip,
  type ExportSource,
  type FormatModule,
  type ImagePass,
  type OpenedArchive,
  type SplitCounts,
} from "@pictograph/formats";
import {
  DatasetNameSchema,
  STATUS_FILTERS,
  StatusFilterSchema,
  type DatasetImage,
  type ImportProblem,
} from "@pictograph/schema";
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
  if (!status.success)
    throw new CliError(
      `unknown status ${JSON.stringify(options.status)}: use one of ${STATUS_FILTERS.join(", ")}`,
      EXIT.usage,
    );

  let archive: OpenedArchive;
  try {
    archive = await openArchive(input);
  } catch (error) {
    throw new CliError(`cannot read ${input}: ${(error as Error).message}`);
  }
  try {
    const selected = (image: DatasetImage) => status.data === "all" || image.status === status.data;
    const scan = await scanInput(reader, archive, selected);
    const problems = [...archive.problems, ...scan.problems];
    for (const problem of problems) log(`problem: ${describeProblem(problem)}`);
    if (problems.length && !options.lenient)
      throw new CliError(
        `${problems.length} problem(s) reading ${input} as ${options.from}; fix them or pass --lenient`,
      );

    // A misspelt --class is a usage error, not a failure to write (D1: unknown names refused).
    const names = scan.classes.map((c) => c.name);
    const unknown = options.class?.find((name) => !names.includes(name));
    if (unknown !== undefined)
      throw new CliError(
        `--class ${JSON.stringify(unknown)} is not a class of ${input} (classes: ${names.map((n) => JSON.stringify(n)).join(", ")})`,
        EXIT.usage,
      );

    const withFiles = scan.files.size;
    const includeImages = options.images !== false && withFiles > 0;
    if (includeImages && withFiles < scan.images)
      throw new CliError(
        `${scan.images - withFiles} of ${scan.images} images have no file in ${input}; pass --no-images to convert the annotations only`,
      );

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
      async *images(pass?: ImagePass) {
        const again = await reader.read(archive);
        for await (const { image } of again.images) {
          if (selected(image) && inPass(image, pass)) yield image;
        }
      },
    };

    useExportHeapPolicy();
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

/** One pass over the input: classes, problems, and, of the selected images, the split
 * counts (writers lay out folders and READMEs from them) and where each image's file is. */
async function scanInput(
  reader: FormatModule,
  archive: OpenedArchive,
  selected: (image: DatasetImage) => boolean,
) {
  const result = await reader.read(archive);
  const splitCounts: SplitCounts = { train: 0, val: 0, test: 0, none: 0 };
  const files = new Map<string, string>();
  let images = 0;
  for await (const { image, file } of result.images) {
    if (!selected(image)) continue;
    images++;
    splitCounts[image.split ?? "none"]++;
    if (file) files.set(image.path, file);
  }
  return { classes: result.classes, splitCounts, files, images, problems: result.problems };
}

function datasetNameOf(input: string): string {
  const name = basename(input, extname(input))
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return DatasetNameSchema.safeParse(name.slice(0, 64)).success ? name.slice(0, 64) : "dataset";
}

function describeProblem(problem: ImportProblem): string {
  const where = [problem.file, problem.line ? `line ${problem.line}` : null, problem.element]
    .filter(Boolean)
    .join(" ");
  // A problem about the whole input (no file found at all) has no place to name.
  return where ? `${where}: ${problem.reason}` : problem.reason;
}
