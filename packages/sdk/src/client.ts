// The client: configuration (options, else PICTOGRAPH_URL / PICTOGRAPH_API_KEY) and one
// field per resource, as in openai-node: client.exports.create(…), client.datasets.list().
import { PictographError } from "./core/errors";
import { Transport } from "./core/request";
import { readEnv } from "./env";
import { Annotations } from "./resources/annotations";
import { ApiKeys } from "./resources/api-keys";
import { Classes } from "./resources/classes";
import { Datasets } from "./resources/datasets";
import { Exports } from "./resources/exports";
import { Images } from "./resources/images";
import { Imports } from "./resources/imports";
import { Workspace } from "./resources/workspace";

export type ClientOptions = {
  /** The API key. Default: the PICTOGRAPH_API_KEY environment variable. */
  apiKey?: string;
  /** The server, e.g. `https://pictograph.example.com`. Default: the PICTOGRAPH_URL
   * environment variable. A trailing `/api/v1` is accepted. */
  baseUrl?: string;
  /** Seconds to wait for each answer before retrying or failing; default 60. Downloads count
   * only until the bytes start. Like every duration in this SDK, in seconds. */
  timeout?: number;
  /** Retries of a request that failed on 408, 429, 5xx or the network; default 2. */
  maxRetries?: number;
  /** A fetch implementation; default: the global one (Node 20+). */
  fetch?: typeof fetch;
};

const DEFAULT_TIMEOUT = 60;
const DEFAULT_MAX_RETRIES = 2;

export class Client {
  /** The server's origin (without `/api/v1`). */
  readonly baseUrl: string;
  readonly exports: Exports;
  readonly datasets: Datasets;
  readonly classes: Classes;
  readonly images: Images;
  readonly annotations: Annotations;
  readonly imports: Imports;
  readonly apiKeys: ApiKeys;
  readonly workspace: Workspace;

  constructor(options: ClientOptions = {}) {
    const baseUrl = options.baseUrl?.trim() || readEnv("PICTOGRAPH_URL");
    const apiKey = options.apiKey?.trim() || readEnv("PICTOGRAPH_API_KEY");
    const missing = [
      baseUrl ? null : "the server URL: pass `baseUrl` to new Client() or set PICTOGRAPH_URL",
      apiKey ? null : "an API key: pass `apiKey` to new Client() or set PICTOGRAPH_API_KEY",
    ].filter(Boolean);
    if (missing.length) throw new PictographError(`Pictograph needs ${missing.join("; and ")}`);
    this.baseUrl = normalizeBaseUrl(baseUrl!);
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!(timeout > 0)) throw new PictographError("timeout must be a number of seconds above 0");
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new PictographError("maxRetries must be a whole number, 0 or more");
    const transport = new Transport({
      baseUrl: this.baseUrl,
      apiKey: apiKey!,
      timeout,
      maxRetries,
      fetch: options.fetch ?? globalThis.fetch,
    });
    this.exports = new Exports(transport);
    this.datasets = new Datasets(transport);
    this.classes = new Classes(transport);
    this.images = new Images(transport);
    this.annotations = new Annotations(transport);
    this.imports = new Imports(transport);
    this.apiKeys = new ApiKeys(transport);
    this.workspace = new Workspace(transport);
  }
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PictographError(
      `the server URL ${JSON.stringify(value)} is not a URL (e.g. http://localhost:3000)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new PictographError(
      `the server URL must start with http:// or https://, not ${url.protocol}//`,
    );
  return `${url.origin}${url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}`;
}
