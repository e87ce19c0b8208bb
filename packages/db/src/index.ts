// @pictograph/db: the schema, migrations, createDb() for Postgres or embedded PGlite, and
// query functions `(db | tx, params)`. Nothing here reads process.env.
export * from "./create-db";
export * from "./migrate";
export * from "./errors";
export { selectRows, executeSqlText } from "./raw-sql";
export { LOCK_FILE_NAME } from "./data-dir-lock";
export * from "./schema";
export * from "./queries/keyset-page";
export * from "./queries/workspaces";
export * from "./queries/datasets";
export * from "./queries/classes";
export * from "./queries/images";
export * from "./queries/annotations";
export * from "./queries/export-images";
export { classNamer, type TupleClass } from "./queries/canonical-annotations";
export * from "./queries/exports";
export * from "./queries/imports";
export * from "./queries/access";
export * from "./queries/export-builds";
export * from "./queries/blob-references";
