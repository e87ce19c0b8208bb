// drizzle-kit: `pnpm exec drizzle-kit generate --name <change>` writes the next SQL migration
// into ./drizzle from the schema; it needs no database. Never `push` outside a scratch one.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
});
