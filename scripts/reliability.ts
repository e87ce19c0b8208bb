// `pnpm test:reliability [--full] [file…]`: runs the reliability suite (tooling/reliability:
// worker kills, PostgreSQL restart, storage outage, disk full, API fuzzing with cross-workspace
// access, hostile imports) and rewrites docs/reliability.md from its results, the figures its
// tests recorded and the promises in tooling/reliability/src/promises.ts (a run of some files
// only leaves the document alone). `--full` runs the long variants. Exits non-zero when a test
// fails (the document is written anyway, saying so). Needs PostgreSQL: TEST_DATABASE_URL, else
// the local server on 127.0.0.1:5432.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, release, tmpdir, totalmem, type } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promises } from "../tooling/reliability/src/promises";

type TestResult = {
  title: string;
  ancestorTitles: string[];
  status: string;
  duration?: number;
  failureMessages: string[];
};
type FileResult = {
  name: string;
  status: string;
  message?: string;
  assertionResults: TestResult[];
};
type Report = {
  numTotalTests: number;
  numFailedTests: number;
  testResults: FileResult[];
};
type Figures = Record<string, string | number | boolean>;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const suiteDir = join(root, "tooling", "reliability");
const docPath = join(root, "docs", "reliability.md");

const args = process.argv.slice(2);
const full = args.includes("--full");
const files = args.filter((arg) => !arg.startsWith("-"));

// What the suite imports that is built (the SDK's dist): turbo builds it, or finds it cached.
const build = spawnSync(
  "pnpm",
  ["turbo", "run", "build", "--filter=@pictograph/reliability^..."],
  { cwd: root, stdio: "inherit" },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const work = mkdtempSync(join(tmpdir(), "pictograph-reliability-"));
const reportPath = join(work, "report.json");
const figuresDir = join(work, "figures");
const started = Date.now();
const run = spawnSync(
  join(suiteDir, "node_modules", ".bin", "vitest"),
  [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportPath}`,
    ...files,
  ],
  {
    cwd: suiteDir,
    stdio: "inherit",
    env: {
      ...process.env,
      RELIABILITY_FULL: String(full),
      RELIABILITY_FIGURES_DIR: figuresDir,
    },
  },
);
const seconds = Math.round((Date.now() - started) / 1000);

if (!existsSync(reportPath)) {
  console.error(
    `test:reliability: vitest wrote no report (exit ${run.status ?? run.signal})`,
  );
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
const figures = new Map<string, Figures>();
if (existsSync(figuresDir))
  for (const file of readdirSync(figuresDir))
    figures.set(
      basename(file, ".json"),
      JSON.parse(readFileSync(join(figuresDir, file), "utf8")) as Figures,
    );
rmSync(work, { recursive: true, force: true });

const byFile = new Map(
  report.testResults.map((result) => [basename(result.name), result]),
);
const number = (value: string | number | boolean) =>
  typeof value === "number"
    ? value.toLocaleString("en-US", { maximumFractionDigits: 1 })
    : String(value);
const cell = (text: string) =>
  text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** A test file's leading comment: what it does, in its own words. */
function description(file: string): string {
  const lines = readFileSync(join(suiteDir, "src", file), "utf8").split("\n");
  const comment: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("//")) break;
    comment.push(line.replace(/^\/\/ ?/, ""));
  }
  return comment.join(" ");
}

function fileSection(file: string): string[] {
  const result = byFile.get(file);
  const lines = [`### ${file}`, "", description(file), ""];
  if (!result) return [...lines, "Not run this time (a filtered run).", ""];
  for (const test of result.assertionResults) {
    const outcome =
      test.status === "passed"
        ? `passed in ${Math.round((test.duration ?? 0) / 1000)} s`
        : test.status === "skipped" || test.status === "pending"
          ? "runs with `--full`"
          : `**${test.status}**`;
    lines.push(
      `- ${[...test.ancestorTitles.slice(1), test.title].join(" › ")}: ${outcome}`,
    );
  }
  if (result.assertionResults.length === 0)
    lines.push(`- the file did not run: ${result.message ?? result.status}`);
  const recorded = figures.get(basename(file, ".test.ts"));
  if (recorded)
    lines.push(
      "",
      "| figure | value |",
      "|---|---|",
      ...Object.entries(recorded).map(
        ([key, value]) => `| ${cell(key)} | ${cell(number(value))} |`,
      ),
    );
  return [...lines, ""];
}

const testFiles = [...new Set(promises.flatMap((p) => p.provedBy))].sort();
const failedFiles = report.testResults.filter(
  (result) => result.status !== "passed",
).length;
const doc = [
  "# Reliability",
  "",
  "Generated by `pnpm test:reliability` (scripts/reliability.ts) from the suite in tooling/reliability; do not edit by hand.",
  "Each promise names the tests that prove it; the results and figures below are those of the last run.",
  "",
  `Last run: ${new Date().toISOString()}, ${full ? "`--full` (the long variants)" : "the CI variant (`--full` runs the long ones)"}, ${seconds} s; ${report.numTotalTests - report.numFailedTests} of ${report.numTotalTests} tests passed${failedFiles ? `, **${failedFiles} file(s) failed**` : ""}.`,
  `Machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GB RAM, Node ${process.version}, ${type()} ${release()}.`,
  "",
  "## What is promised",
  "",
  "| promise | how it is kept | proved by |",
  "|---|---|---|",
  ...promises.map(
    (p) =>
      `| ${cell(p.promise)} | ${cell(p.how)} | ${p.provedBy.map((f) => `[${f}](#${f.replaceAll(".", "")})`).join(", ")} |`,
  ),
  "",
  "## The tests and their figures",
  "",
  ...testFiles.flatMap(fileSection),
].join("\n");
// Only a run of the whole suite speaks for every promise.
if (files.length === 0) {
  writeFileSync(docPath, doc);
  console.error(`test:reliability: wrote docs/reliability.md (${seconds} s)`);
} else
  console.error(
    `test:reliability: a filtered run (${seconds} s); docs/reliability.md left as it was`,
  );
process.exit(run.status === 0 ? 0 : 1);
