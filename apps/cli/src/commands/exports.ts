// `pictograph exports create|list|get|wait|download|delete`: the export API on the SDK.
// Waiting shows the build's progress on a TTY; a failed build exits 3, a wait that runs
// out exits 124 (the export keeps building).
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Export, WaitParams } from "@pictograph/sdk";
import { EXPORT_STATUSES, FORMATS, STATUS_FILTERS } from "@pictograph/schema";
import { Command, Option } from "commander";
import { connect } from "../config";
import { collect, oneOf, positiveInteger, seconds } from "../options";
import { formatBytes, log, printFields, printJson, printTable, type Column } from "../output";
import { progressBar } from "../progress";

const EXPORT_FIELDS: Column<Export>[] = [
  { header: "DATASET", value: (e) => e.dataset_name },
  { header: "NAME", value: (e) => e.name },
  { header: "FORMAT", value: (e) => e.format },
  { header: "STATUS", value: (e) => e.status },
  { header: "PROGRESS", value: (e) => `${Math.floor(e.progress)}%` },
  { header: "IMAGES", value: (e) => e.image_count },
  { header: "ANNOTATIONS", value: (e) => e.annotation_count },
  { header: "SIZE", value: (e) => formatBytes(e.size_bytes) },
  { header: "CREATED", value: (e) => e.created_at },
];

const DETAIL_FIELDS: Column<Export>[] = [
  { header: "id", value: (e) => e.id },
  { header: "dataset", value: (e) => e.dataset_name },
  { header: "name", value: (e) => e.name },
  { header: "format", value: (e) => e.format },
  { header: "include_images", value: (e) => String(e.include_images) },
  {
    header: "class_filter",
    value: (e) => (e.class_filter ? e.class_filter.join(", ") : "all classes"),
  },
  { header: "status_filter", value: (e) => e.status_filter },
  { header: "status", value: (e) => e.status },
  { header: "progress", value: (e) => `${Math.floor(e.progress)}%` },
  { header: "images", value: (e) => e.image_count },
  { header: "annotations", value: (e) => e.annotation_count },
  { header: "size", value: (e) => formatBytes(e.size_bytes) },
  { header: "error", value: (e) => e.error_message },
  { header: "created_at", value: (e) => e.created_at },
  { header: "completed_at", value: (e) => e.completed_at },
  { header: "expires_at", value: (e) => e.expires_at },
];

type JsonOption = { json?: boolean };
type WaitOptions = { timeout?: string; pollInterval?: string } & JsonOption;

function printExport(exp: Export, options: JsonOption) {
  if (options.json) printJson(exp);
  else printFields(exp, DETAIL_FIELDS);
}

function waitOptions(command: Command): Command {
  return command
    .option(
      "--timeout <seconds>",
      "give up waiting after this long (exit 124; the export keeps building)",
      "600",
    )
    .option("--poll-interval <seconds>", "seconds between looks at the export", "2");
}

/** Runs `wait` with the options' timeout and poll interval and a progress bar on a TTY; the
 * SDK's errors say what went wrong. */
async function waitWithProgress(
  name: string,
  options: WaitOptions & { wait?: boolean },
  wait: (params: WaitParams<Export>) => Promise<Export>,
): Promise<Export> {
  const bar = progressBar(`export ${name}`, {
    json: options.json || options.wait === false,
    total: 100,
    unit: "%",
  });
  try {
    return await wait({
      timeout: seconds("--timeout", options.timeout ?? "600"),
      poll_interval: Math.max(0.05, seconds("--poll-interval", options.pollInterval ?? "2")),
      on_progress: (current) => bar.update(Math.floor(current.progress)),
    });
  } finally {
    bar.stop();
  }
}

export function exportsCommand(): Command {
  const command = new Command("exports").description(
    "create, watch, download and delete dataset exports",
  );

  waitOptions(
    command
      .command("create")
      .description("create an export and wait until its ZIP is ready")
      .argument("<dataset>", "the dataset to export")
      .argument("<name>", "the export's name, unique in the dataset")
      .option("--format <format>", `one of: ${FORMATS.join(", ")}`, "pictograph")
      .option("--no-images", "export the annotations only")
      .option("--class <name>", "keep only this class's annotations (repeatable)", collect, [])
      .option(
        "--status <status>",
        `export images with this status: ${STATUS_FILTERS.join(", ")}`,
        "complete",
      )
      .option("--wait", "wait until the ZIP is ready (the default)")
      .option("--no-wait", "return at once with the pending export"),
  )
    .option("--json", "print the export as JSON")
    .action(
      async (
        dataset: string,
        name: string,
        options: WaitOptions & {
          format: string;
          images: boolean;
          class: string[];
          status: string;
          wait?: boolean;
        },
      ) => {
        const format = oneOf("--format", options.format, FORMATS);
        const status = oneOf("--status", options.status, STATUS_FILTERS);
        const client = await connect();
        // The wait starts from the POST's answer, so `--timeout 0` never waits, however fast
        // the build is.
        const exp = await waitWithProgress(name, options, (wait) =>
          client.exports.create(dataset, name, {
            format,
            include_images: options.images,
            class_filter: options.class.length ? options.class : null,
            status_filter: status,
            wait: options.wait !== false,
            ...wait,
          }),
        );
        printExport(exp, options);
      },
    );

  command
    .command("list")
    .description("list exports, newest first")
    .option("--dataset <dataset>", "only this dataset's exports")
    .addOption(
      new Option("--status <status>", "only exports with this status").choices([
        ...EXPORT_STATUSES,
      ]),
    )
    .option("--limit <n>", "show at most this many")
    .option("--json", "print the exports as a JSON array")
    .action(
      async (
        options: JsonOption & { dataset?: string; status?: Export["status"]; limit?: string },
      ) => {
        const limit =
          options.limit === undefined ? Infinity : positiveInteger("--limit", options.limit);
        const client = await connect();
        const exports: Export[] = [];
        for await (const exp of client.exports.iter({
          dataset: options.dataset,
          status: options.status,
          page_size: 200,
        })) {
          if (exports.length >= limit) break;
          exports.push(exp);
        }
        if (options.json) printJson(exports);
        else printTable(exports, EXPORT_FIELDS, "no exports");
      },
    );

  command
    .command("get")
    .description("show an export: its status, progress and counts")
    .argument("<dataset>")
    .argument("<name>")
    .option("--json", "print the export as JSON (with its download_url once completed)")
    .action(async (dataset: string, name: string, options: JsonOption) => {
      printExport(await (await connect()).exports.get(dataset, name), options);
    });

  waitOptions(
    command
      .command("wait")
      .description("wait until an export is completed (exit 3 if it fails, 124 if time runs out)")
      .argument("<dataset>")
      .argument("<name>"),
  )
    .option("--json", "print the export as JSON")
    .action(async (dataset: string, name: string, options: WaitOptions) => {
      const client = await connect();
      const exp = await waitWithProgress(name, options, (wait) =>
        client.exports.waitForCompletion(dataset, name, wait),
      );
      printExport(exp, options);
    });

  command
    .command("download")
    .description("download a completed export's ZIP")
    .argument("<dataset>")
    .argument("<name>")
    .option(
      "-o, --output <path>",
      "the file (or folder) to write; default <dataset>-<name>-<format>.zip here",
    )
    .option("--json", "print {path, size_bytes} as JSON")
    .action(async (dataset: string, name: string, options: JsonOption & { output?: string }) => {
      const client = await connect();
      const exp = await client.exports.get(dataset, name);
      const fileName = `${exp.dataset_name}-${exp.name}-${exp.format}.zip`;
      let output = options.output ?? fileName;
      if (options.output && (await isDirectory(options.output)))
        output = join(options.output, fileName);
      const bar = progressBar(`download ${name}`, {
        json: options.json,
        total: exp.size_bytes ?? 0,
        unit: "bytes",
      });
      let file;
      try {
        file = await client.exports.download(dataset, name, {
          output_path: output,
          on_progress: ({ bytes, total }) => bar.update(bytes, total ?? undefined),
        });
      } finally {
        bar.stop();
      }
      if (options.json) printJson(file);
      else log(`saved ${file.path} (${formatBytes(file.size_bytes)})`);
    });

  command
    .command("delete")
    .description("delete an export and its ZIP (a build in progress stops)")
    .argument("<dataset>")
    .argument("<name>")
    .action(async (dataset: string, name: string) => {
      await (await connect()).exports.delete(dataset, name);
      log(`deleted export "${name}" of dataset "${dataset}"`);
    });

  return command;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
