#!/usr/bin/env node
// The `pictograph` command line. Every command's errors end here: one line on stderr and
// the exit code from exit-codes.ts (2 usage, 3 export failed, 124 wait timed out, 1 else).
import {
  APIError,
  ExportFailedError,
  ImportFailedError,
  PollTimeoutError,
  ValidationError,
} from "@pictograph/sdk";
import { FORMATS } from "@pictograph/schema";
import { Command, CommanderError, Option } from "commander";
import { convert } from "./commands/convert";
import { datasetsCommand } from "./commands/datasets";
import { exportsCommand } from "./commands/exports";
import { imagesCommand } from "./commands/images";
import { importCommand } from "./commands/import";
import { loginCommand } from "./commands/login";
import { CliError, EXIT } from "./exit-codes";

const program = new Command("pictograph")
  .description("Pictograph: annotated image datasets and their exports")
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program.addCommand(loginCommand());
program.addCommand(datasetsCommand());
program.addCommand(imagesCommand());
program.addCommand(importCommand());
program.addCommand(exportsCommand());

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

// Every command, however deep, reports usage errors through the same exit path.
for (const command of allCommands(program)) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function exitCodeOf(error: unknown): number {
  // Commander has printed its own message already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const fail = (message: string, code: number) => {
    process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return code;
  };
  if (error instanceof CliError) return fail(error.message, error.exitCode);
  if (error instanceof ExportFailedError) return fail(error.message, EXIT.exportFailed);
  if (error instanceof PollTimeoutError) {
    const hint = error.export
      ? `; wait again with: pictograph exports wait ${error.export.dataset_name} ${error.export.name}`
      : "";
    return fail(`${error.message}${hint}`, EXIT.waitTimedOut);
  }
  if (error instanceof ImportFailedError) return fail(error.message, EXIT.error);
  // The server refused an input (unknown class, bad name): the command line was wrong.
  if (error instanceof ValidationError) return fail(error.message, EXIT.usage);
  if (error instanceof APIError)
    return fail(
      `${error.message} (HTTP ${error.status}${error.requestId ? `, request ${error.requestId}` : ""})`,
      EXIT.error,
    );
  return fail((error as Error)?.message ?? String(error), EXIT.error);
}
