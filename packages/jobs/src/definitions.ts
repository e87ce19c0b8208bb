// Every queue, declared once (STYLE.md item 9): dotted names, payloads that carry ids only,
// and the retry policy pg-boss applies. Handlers zod-parse payloads with these schemas.
import { z } from "zod";

export type QueueDefinition<Payload extends z.ZodType = z.ZodType, Name extends string = string> = {
  name: Name;
  payload: Payload;
  /** Retries after the first attempt fails (so retryLimit + 1 attempts in all). */
  retryLimit: number;
  /** Seconds before a retry; doubled on each retry when retryBackoff is on. */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /**
   * How long one attempt may run before pg-boss fails it (and retries, if any are left).
   * Unset: createJobs' `expireInSeconds` (EXPORT_TIMEOUT_SECONDS, default 3600).
   */
  expireInSeconds?: number;
  /** Queue that receives a job once its retries are used up. */
  deadLetter?: string;
};

/** A payload as a sender gives it / as a handler receives it. */
export type PayloadInput<Q extends QueueDefinition> = z.input<Q["payload"]>;
export type Payload<Q extends QueueDefinition> = z.output<Q["payload"]>;

function defineQueue<Schema extends z.ZodType, const Name extends string>(
  definition: QueueDefinition<Schema, Name>,
): QueueDefinition<Schema, Name> {
  return definition;
}

export const queues = {
  // Declared before export.build: a queue's dead letter must exist when the queue is created.
  /**
   * An export.build job whose attempts are all used up, including one that expired because
   * its worker died: no build handler will run again, so this marks the export failed.
   */
  exportBuildDead: defineQueue({
    name: "export.build.dead",
    payload: z.object({ exportId: z.uuid() }),
    retryLimit: 5,
    retryDelaySeconds: 10,
    retryBackoff: true,
  }),
  /** Build one export's ZIP (packages/exporter). */
  exportBuild: defineQueue({
    name: "export.build",
    payload: z.object({ exportId: z.uuid() }),
    retryLimit: 3,
    retryDelaySeconds: 5,
    retryBackoff: true,
    deadLetter: "export.build.dead",
  }),
  /** Storage garbage collection (expired exports, orphaned files); scheduled hourly by the workers. */
  storageGc: defineQueue({
    name: "storage.gc",
    payload: z.object({}),
    retryLimit: 0,
    retryDelaySeconds: 60,
    retryBackoff: false,
  }),
  /** Read one uploaded archive into its dataset. */
  importRun: defineQueue({
    name: "import.run",
    payload: z.object({ importId: z.uuid() }),
    retryLimit: 3,
    retryDelaySeconds: 5,
    retryBackoff: true,
  }),
} as const;

export const allQueues: readonly QueueDefinition[] = Object.values(queues);

type DeclaredQueue = (typeof queues)[keyof typeof queues];
/** `"export.build" | "import.run"` */
export type QueueName = DeclaredQueue["name"];
/** What a sender gives each declared queue, by name. */
export type JobPayloads = {
  [Name in QueueName]: PayloadInput<Extract<DeclaredQueue, { name: Name }>>;
};
