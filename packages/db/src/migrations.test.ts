import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, embeddedMigrationsSource } from "../scripts/embed-migrations";

describe("embedded migrations", () => {
  it("are exactly the committed SQL in drizzle/ (run `pnpm db:generate` after changing the schema)", () => {
    expect(readFileSync(GENERATED_FILE, "utf8")).toBe(embeddedMigrationsSource());
  });
});
