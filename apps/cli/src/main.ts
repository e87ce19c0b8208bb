#!/usr/bin/env node
// The `pictograph` command line. Every command's errors end here: one line on stderr and
// the exit code from exit-codes.ts.
import { FORMATS } from "@pictograph/schema";
import { Command, CommanderError, Option } from "commander";
import { convert } from "./commands/convert";
import { CliError, EXIT } from "./exit-codes";

const program = new Command("pictograph")
  .description("Pictograph: annotated image datasets and their exports")
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command("convert")
  .description("convert a dataset ZIP or directory from one format to another, offline")
  .argument("<input>", "a ZIP file or a directory")
  .addOption(new Option("--from <format>", "format of the input").makeOptionMandatory())
  .addOption(new Option("--to <format>", "format of the output").makeOptionMandatory())
  .requiredOption("-o, --output <path>", "the ZIP to write")
  .option("--no-images", "write the annotations only, even when the input has the images")
  .option(
    "--class <name>",
    "keep only this class (repeatable)",
    (v: string, all: string[]) => [...all, v],
    [],
  )
  .option(
    "--status <status>",
    "keep only images with this status: all, new, in_progress, complete",
    "all",
  )
  .option("--lenient", "write the output even when the reader reports problems")
  .option("--json", "print the result as JSON on stdout")
  .addHelpText("after", `\nFormats: ${FORMATS.join(", ")}`)
  .action(convert);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT.error;
}
