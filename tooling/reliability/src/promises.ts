// What Pictograph promises under faults and hostile input, and which test file of this suite
// proves each promise. scripts/reliability.ts renders docs/reliability.md from this list, the
// run's results and the figures each test recorded (src/figures.ts).
export type Promise_ = {
  promise: string;
  /** How it is kept, in a sentence or two. */
  how: string;
  /** Test files of tooling/reliability/src that prove it. */
  provedBy: string[];
};

export const promises: Promise_[] = [
  {
    promise: "No partial ZIP is ever visible",
    how: "A build writes to a temporary object and publishes it with one UPDATE of its row, fenced by its attempt number; a build that dies while writing leaves only a temporary object, which workers sweep, and one killed after storing its ZIP but before publishing it leaves a whole ZIP that no row names, which garbage collection deletes.",
    provedBy: ["worker-kills.test.ts", "storage-outage.test.ts", "disk-full.test.ts"],
  },
  {
    promise: "No export is stuck in `processing`",
    how: "Every build beats a heartbeat each second; a stale heartbeat puts the export back in the queue at once (at most 4 builders per export), and a job that uses up its attempts fails its export through the dead-letter queue.",
    provedBy: ["worker-kills.test.ts", "postgres-restart.test.ts", "storage-outage.test.ts"],
  },
  {
    promise: "The web app and the workers ride out a PostgreSQL restart",
    how: "Connections come from pools that drop broken clients; requests during the outage fail with a 503 error body, and the next ones succeed without restarting anything.",
    provedBy: ["postgres-restart.test.ts"],
  },
  {
    promise: "Storage failures fail clearly and lose nothing",
    how: "Storage errors are retried with back-off; the last attempt fails the export with a message naming the cause; nothing half-written is published.",
    provedBy: ["storage-outage.test.ts", "disk-full.test.ts"],
  },
  {
    promise: "No access across workspaces",
    how: "Every query is scoped by the workspace of the caller's key or session; another workspace's ids answer 404, exactly like ids that do not exist.",
    provedBy: ["api-fuzz.test.ts"],
  },
  {
    promise: "Bad input gets a clear error, never a 5xx",
    how: "Every input is parsed by @pictograph/schema before it is used; refusals carry the one error body.",
    provedBy: ["api-fuzz.test.ts"],
  },
  {
    promise:
      "Hostile archives are refused or reported, nothing is written outside its place, memory stays bounded",
    how: "The archive reader refuses zip-slip, absolute and symlink members, caps sizes, ratios and entry counts, checks CRCs, and parses XML without entities and JSON with limits; imports report what they skipped.",
    provedBy: ["hostile-imports.test.ts"],
  },
];
