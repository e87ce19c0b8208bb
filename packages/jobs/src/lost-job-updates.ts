// pg-boss 10.4.2 does not await the UPDATE that marks a finished job completed or failed
// (Manager.work's onFetch calls `this.complete(…)` / `this.fail(…)` without `await`). When the
// database is unreachable at that moment the rejection is unhandled, and Node ends the
// process. Losing that one update is harmless: the job stays `active` until its time limit
// and is then retried, and our builds are fenced and idempotent. So a process running jobs
// lets exactly those rejections pass, with a log line, and still dies of any other.
import { isDatabaseUnavailable } from "@pictograph/db";

export function surviveLostJobUpdates(log: (line: string) => void): void {
  process.on("unhandledRejection", (reason) => {
    if (!isDatabaseUnavailable(reason)) throw reason;
    log(
      `the database was unreachable while a job's state was being saved (${(reason as Error).message}); the job will be retried after its time limit`,
    );
  });
}
