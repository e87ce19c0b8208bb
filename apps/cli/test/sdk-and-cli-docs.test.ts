// docs/sdk-and-cli.md, run: every block marked `<!-- run -->` is executed in order against a
// fresh server — TypeScript blocks with tsx against the SDK (and type-checked first), shell
// blocks with bash and the built `pictograph` on PATH — and must exit 0 and print the lines
// of the `<!-- output -->` block that follows it. So the documentation cannot drift.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "@pictograph/test-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_CLI, REPO_ROOT, runProcess } from "./cli-process";

export type DocBlock = { lang: "ts" | "sh"; code: string; line: number; output: string[] | null };

/** The runnable blocks of a Markdown page, each with the output it promises. */
export function runnableBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  const fenceAfter = (start: number, marker: string) => {
    let i = start;
    while (lines[i]?.trim() === "") i++;
    if (lines[i]?.trim() !== marker) return null;
    i++;
    while (lines[i]?.trim() === "") i++;
    const open = /^```(\w+)\s*$/.exec(lines[i] ?? "");
    if (!open) throw new Error(`line ${i + 1}: ${marker} must be followed by a fenced block`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.startsWith("```"); j++) body.push(lines[j]!);
    return { lang: open[1]!, body, line: i + 1, end: j + 1 };
  };
  for (let i = 0; i < lines.length; i++) {
    const block = fenceAfter(i, "<!-- run -->");
    if (!block) continue;
    if (block.lang !== "ts" && block.lang !== "sh")
      throw new Error(`line ${block.line}: run blocks are ts or sh`);
    const output = fenceAfter(block.end, "<!-- output -->");
    blocks.push({
      lang: block.lang,
      code: block.body.join("\n"),
      line: block.line,
      output: output?.body ?? null,
    });
    i = (output ?? block).end - 1;
  }
  return blocks;
}

/** Whitespace runs count as one space; `<…>` (any text in angle brackets) stands for anything. */
function linePattern(expected: string): RegExp {
  const parts = expected
    .trim()
    .replace(/\s+/g, " ")
    .split(/<[^<>]*>/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+?")}$`);
}

/** Every expected line matches a line of `stdout`, in order. */
function expectLines(stdout: string, expected: string[], where: string) {
  const actual = stdout.split("\n").map((l) => l.trim().replace(/\s+/g, " "));
  let at = 0;
  for (const line of expected.filter((l) => l.trim())) {
    const pattern = linePattern(line);
    while (at < actual.length && !pattern.test(actual[at]!)) at++;
    expect(
      at < actual.length,
      `${where}: no line matching ${JSON.stringify(line)} (in order) in:\n${stdout}`,
    ).toBe(true);
    at++;
  }
}

const DOC = join(REPO_ROOT, "docs/sdk-and-cli.md");
const TSX = join(REPO_ROOT, "node_modules/.bin/tsx");
const TSC = join(REPO_ROOT, "apps/cli/node_modules/.bin/tsc");
const blocks = runnableBlocks(await readFile(DOC, "utf8"));
let server: TestServer;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  work = await mkdtemp(join(tmpdir(), "pictograph-docs-"));
  // A user's project: the SDK installed, the CLI on PATH, a config folder of its own.
  await writeFile(
    join(work, "package.json"),
    JSON.stringify({ name: "docs", private: true, type: "module" }),
  );
  await mkdir(join(work, "node_modules/@pictograph"), { recursive: true });
  await symlink(join(REPO_ROOT, "packages/sdk"), join(work, "node_modules/@pictograph/sdk"));
  await mkdir(join(work, "bin"));
  await writeFile(
    join(work, "bin/pictograph"),
    `#!/bin/sh\nexec "${process.execPath}" "${BUILT_CLI}" "$@"\n`,
  );
  await chmod(join(work, "bin/pictograph"), 0o755);
  env = {
    PATH: `${join(work, "bin")}:${process.env.PATH}`,
    PICTOGRAPH_URL: server.url,
    PICTOGRAPH_API_KEY: server.apiKey,
    XDG_CONFIG_HOME: join(work, "config"),
  };
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("docs/sdk-and-cli.md", () => {
  it("has runnable TypeScript and shell blocks, each with the output it promises", () => {
    expect(blocks.filter((b) => b.lang === "ts").length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => b.lang === "sh").length).toBeGreaterThanOrEqual(4);
    expect(blocks.every((b) => b.output !== null)).toBe(true);
  });

  it("its TypeScript blocks type-check against the SDK's published declarations", async () => {
    const files = blocks.flatMap((b) => (b.lang === "ts" ? [`block-${b.line}.ts`] : []));
    for (const block of blocks)
      if (block.lang === "ts") await writeFile(join(work, `block-${block.line}.ts`), block.code);
    await writeFile(
      join(work, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(REPO_ROOT, "node_modules/@types")],
        },
        files,
      }),
    );
    const checked = await runProcess(TSC, ["-p", "."], work);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  });

  for (const block of blocks)
    it(`block at line ${block.line} (${block.lang}) runs and prints what the page says`, async () => {
      const run =
        block.lang === "ts"
          ? await runProcess(TSX, [`block-${block.line}.ts`], work, { env })
          : await runProcess("bash", ["-euo", "pipefail", "-c", block.code], work, { env });
      expect(run.code, `line ${block.line} exited ${run.code}:\n${run.stdout}\n${run.stderr}`).toBe(
        0,
      );
      if (block.output) expectLines(run.stdout, block.output, `line ${block.line}`);
    });
});
