// client.workspace: who the API key acts as.
import type { Role } from "../dataset-model";
import type { RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

export type Me = { workspace: string; role: Role; auth: "api_key" | "session" };

export class Workspace extends APIResource {
  /** The workspace and role of the credentials: a cheap way to check them. */
  me(options: RequestOptions = {}): Promise<Me> {
    return this.transport.json({ method: "GET", path: "/me" }, options);
  }
}
