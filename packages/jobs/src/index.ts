// @pictograph/jobs: the pg-boss queue on either backend, its queue definitions, and an
// enqueue that joins the caller's transaction. Nothing here reads process.env.
export * from "./definitions";
export * from "./create-jobs";
export * from "./lost-job-updates";
