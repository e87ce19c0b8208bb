// `pictograph datasets list|create|get|delete`.
import type { Dataset } from "@pictograph/sdk";
import { Command } from "commander";
import { connect } from "../config";
import { log, printFields, printJson, printTable, type Column } from "../output";

const DATASET_FIELDS: Column<Dataset>[] = [
  { header: "NAME", value: (d) => d.name },
  { header: "IMAGES", value: (d) => d.image_counts.total },
  { header: "COMPLETE", value: (d) => d.image_counts.complete },
  { header: "IN_PROGRESS", value: (d) => d.image_counts.in_progress },
  { header: "NEW", value: (d) => d.image_counts.new },
  { header: "CREATED", value: (d) => d.created_at },
  { header: "DESCRIPTION", value: (d) => d.description || null },
];

const DETAIL_FIELDS: Column<Dataset>[] = [
  { header: "id", value: (d) => d.id },
  { header: "name", value: (d) => d.name },
  { header: "description", value: (d) => d.description || null },
  { header: "images", value: (d) => d.image_counts.total },
  { header: "complete", value: (d) => d.image_counts.complete },
  { header: "in_progress", value: (d) => d.image_counts.in_progress },
  { header: "new", value: (d) => d.image_counts.new },
  { header: "created_at", value: (d) => d.created_at },
  { header: "updated_at", value: (d) => d.updated_at },
];

type JsonOption = { json?: boolean };

function printDataset(dataset: Dataset, options: JsonOption) {
  if (options.json) printJson(dataset);
  else printFields(dataset, DETAIL_FIELDS);
}

export function datasetsCommand(): Command {
  const command = new Command("datasets").description("list, create, show and delete datasets");

  command
    .command("list")
    .description("list the workspace's datasets")
    .option("--json", "print the datasets as a JSON array")
    .action(async (options: JsonOption) => {
      const client = await connect();
      const datasets: Dataset[] = [];
      for await (const dataset of client.datasets.iter({ page_size: 200 })) datasets.push(dataset);
      if (options.json) printJson(datasets);
      else printTable(datasets, DATASET_FIELDS, "no datasets");
    });

  command
    .command("create")
    .description("create an empty dataset")
    .argument("<name>", "1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-'")
    .option("--description <text>", "what it holds")
    .option("--json", "print the dataset as JSON")
    .action(async (name: string, options: JsonOption & { description?: string }) => {
      printDataset(
        await (await connect()).datasets.create(name, { description: options.description }),
        options,
      );
    });

  command
    .command("get")
    .description("show a dataset with its image counts")
    .argument("<name>")
    .option("--json", "print the dataset as JSON")
    .action(async (name: string, options: JsonOption) => {
      printDataset(await (await connect()).datasets.get(name), options);
    });

  command
    .command("delete")
    .description("delete a dataset with its images, annotations, exports and imports")
    .argument("<name>")
    .action(async (name: string) => {
      await (await connect()).datasets.delete(name);
      log(`deleted dataset "${name}"`);
    });

  return command;
}
