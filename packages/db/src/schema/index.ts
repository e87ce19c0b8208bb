// Every table, for drizzle-kit and for queries. Schema only: no queries here.
export * from "./workspaces";
export * from "./datasets";
export * from "./exports";
