// `pictograph datasets …` with the built CLI against a real server: tables for people,
// whole objects with --json, one line on stderr and the right exit code when it fails.
import { describe, expect, it } from "vitest";
import { runBuilt } from "../../test/cli-process";
import { serverEnv, uniqueName } from "../../test/server";

const env = serverEnv();
const pictograph = (...args: string[]) => runBuilt(args, { env });

describe("pictograph datasets", () => {
  it("creates, shows, lists and deletes a dataset", async () => {
    const name = uniqueName("cli-ds");
    const created = await pictograph(
      "datasets",
      "create",
      name,
      "--description",
      "from the CLI",
      "--json",
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name,
      description: "from the CLI",
      image_counts: { total: 0, new: 0, in_progress: 0, complete: 0 },
    });

    const got = await pictograph("datasets", "get", name);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(
      new RegExp(`^id +[0-9a-f-]{36}\\nname +${name}\\ndescription +from the CLI\\nimages +0\\n`),
    );

    const table = await pictograph("datasets", "list");
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME +IMAGES +COMPLETE +IN_PROGRESS +NEW +CREATED +DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith("demo "))).toMatch(/^demo +36 +25 +6 +5 /);
    expect(lines.some((l) => l.startsWith(`${name} `))).toBe(true);

    const deleted = await pictograph("datasets", "delete", name);
    expect(deleted).toMatchObject({ code: 0, stdout: "", stderr: `deleted dataset "${name}"\n` });
    const gone = await pictograph("datasets", "get", name);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      new RegExp(`^error: dataset "${name}" not found \\(HTTP 404, request [0-9a-f-]{36}\\)\\n$`),
    );
  });

  it("a name the server refuses is a usage error (exit 2), a taken one an error (exit 1)", async () => {
    const bad = await pictograph("datasets", "create", "has space");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "error: dataset name must be 1–64 characters of a-z, A-Z, 0-9, '.', '_' or '-', starting with a letter or digit\n",
    );
    const taken = await pictograph("datasets", "create", "demo");
    expect(taken.code).toBe(1);
    expect(taken.stderr.split("\n")).toHaveLength(2);
  });

  it("a missing argument is a usage error (exit 2)", async () => {
    const run = await pictograph("datasets", "get");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required argument 'name'/);
  });
});
