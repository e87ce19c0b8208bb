// `pictograph import <dataset> <zip> --format F`: uploads a ZIP in any of the seven formats
// and waits while a worker reads it into the dataset; the report says what came in.
import type { Import } from "@pictograph/sdk";
import { FORMATS } from "@pictograph/schema";
import { Command } from "commander";
import { connect } from "../config";
import { oneOf, seconds } from "../options";
import { log, printFields, printJson, type Column } from "../output";
import { progressBar } from "../progress";

const IMPORT_FIELDS: Column<Import>[] = [
  { header: "id", value: (i) => i.id },
  { header: "dataset", value: (i) => i.dataset_name },
  { header: "format", value: (i) => i.format },
  { header: "status", value: (i) => i.status },
  { header: "progress", value: (i) => `${Math.floor(i.progress)}%` },
  { header: "images", value: (i) => i.report?.images },
  { header: "annotations", value: (i) => i.report?.annotations },
  { header: "image_files", value: (i) => i.report?.image_files },
  {
    header: "problems",
    value: (i) => (i.report ? i.report.problems.length + i.report.problems_truncated : null),
  },
  { header: "error", value: (i) => i.error_message },
];

type ImportOptions = {
  format: string;
  wait?: boolean;
  timeout: string;
  pollInterval: string;
  json?: boolean;
};

export function importCommand(): Command {
  return new Command("import")
    .description("import a ZIP (images and annotations) into a dataset")
    .argument("<dataset>", "the dataset to import into")
    .argument("<zip>", "the ZIP file")
    .requiredOption("--format <format>", `the ZIP's format: ${FORMATS.join(", ")}`)
    .option("--no-wait", "return at once with the pending import")
    .option(
      "--timeout <seconds>",
      "give up waiting after this long (exit 124; the import keeps running)",
      "600",
    )
    .option("--poll-interval <seconds>", "seconds between looks at the import", "2")
    .option("--json", "print the import as JSON")
    .action(async (dataset: string, zip: string, options: ImportOptions) => {
      const format = oneOf("--format", options.format, FORMATS);
      const timeout = seconds("--timeout", options.timeout);
      const pollInterval = Math.max(0.05, seconds("--poll-interval", options.pollInterval));
      const client = await connect();
      const bar = progressBar(`import ${zip}`, {
        json: options.json || options.wait === false,
        total: 100,
        unit: "%",
      });
      let job: Import;
      try {
        job = await client.imports.create(dataset, zip, {
          format,
          wait: options.wait !== false,
          timeout,
          poll_interval: pollInterval,
          on_progress: (current) => bar.update(Math.floor(current.progress)),
        });
      } finally {
        bar.stop();
      }
      if (options.json) {
        printJson(job);
        return;
      }
      const report = job.report;
      for (const problem of report?.problems ?? [])
        log(
          `problem: ${[problem.file, problem.line ? `line ${problem.line}` : null, problem.element].filter(Boolean).join(" ")}: ${problem.reason}`,
        );
      if (report?.problems_truncated) log(`… and ${report.problems_truncated} more problems`);
      printFields(job, IMPORT_FIELDS);
    });
}
