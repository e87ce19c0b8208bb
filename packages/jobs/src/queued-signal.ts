// pg-boss 10 only polls, so a job queued just after a poll waits most of an interval (half a
// second) before an idle worker sees it. enqueue() therefore also sends a NOTIFY naming the
// queue, inside the enqueuing transaction (PostgreSQL delivers it on commit and drops it on
// rollback), and a process that works queues LISTENs and wakes its workers of that queue. A
// lost notification (a connection that dropped, a listener still reconnecting) costs one
// polling interval at most: polling goes on as before.
import pg from "pg";
import { executeSqlText, type DbHandle, type DbOrTx } from "@pictograph/db";

export const QUEUED_CHANNEL = "pictograph_job_queued";
const RECONNECT_MS = 1_000;

/** Says "a job is waiting on `queue`" when `db`'s transaction commits. */
export async function signalQueued(db: DbOrTx, queue: string): Promise<void> {
  await executeSqlText(db, "SELECT pg_notify($1, $2)", [QUEUED_CHANNEL, queue]);
}

export type QueuedListener = { close(): Promise<void> };

/**
 * Calls `onQueued(queue)` for every signal. On PostgreSQL it holds a connection of its own,
 * outside the pool, and opens a new one a second after losing it; errors go to `onError`
 * and never end the process.
 */
export async function listenForQueued(
  handle: DbHandle,
  onQueued: (queue: string) => void,
  onError: (error: Error) => void,
): Promise<QueuedListener> {
  if (handle.kind === "pglite") {
    const unlisten = await handle.pglite.listen(QUEUED_CHANNEL, onQueued);
    return { close: () => unlisten() };
  }

  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  const reconnectLater = () => {
    if (!closed && !retry) retry = setTimeout(connect, RECONNECT_MS);
  };
  const connect = async () => {
    retry = null;
    const next = new pg.Client({ connectionString: handle.databaseUrl });
    // A connection lost either way ('error', or 'end' from the server) is replaced once.
    let lost = false;
    const lose = () => {
      if (lost) return;
      lost = true;
      if (client === next) client = null;
      void next.end().catch(() => undefined);
      reconnectLater();
    };
    next.on("notification", (message) => message.payload && onQueued(message.payload));
    next.on("error", (error) => {
      onError(error);
      lose();
    });
    next.on("end", lose);
    try {
      await next.connect();
      await next.query(`LISTEN ${QUEUED_CHANNEL}`);
    } catch (error) {
      onError(error as Error);
      lose();
      return;
    }
    if (closed) {
      lost = true;
      await next.end().catch(() => undefined);
    } else client = next;
  };
  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}
