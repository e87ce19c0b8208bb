// client.apiKeys: the workspace's API keys (admin keys only). A key's secret is shown once,
// by `create`.
import type { Role } from "../dataset-model";
import { encodePath, type RequestOptions } from "../core/request";
import { APIResource } from "../core/resource";

export type ApiKey = {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it. */
  prefix: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

/** A new key: `key` is its secret, shown only here. */
export type ApiKeyCreated = ApiKey & { key: string };

export type ApiKeyCreateParams = {
  name: string;
  /** Default "member". */
  role?: Role;
};

export class ApiKeys extends APIResource {
  list(options: RequestOptions = {}): Promise<ApiKey[]> {
    return this.transport.json({ method: "GET", path: "/api-keys" }, options);
  }

  create(params: ApiKeyCreateParams, options: RequestOptions = {}): Promise<ApiKeyCreated> {
    return this.transport.json(
      { method: "POST", path: "/api-keys", body: { json: params } },
      options,
    );
  }

  /** Revokes the key: it stops working at once. */
  revoke(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    return this.transport.json({ method: "DELETE", path: `/api-keys/${encodePath(id)}` }, options);
  }
}
