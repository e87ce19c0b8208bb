"use client";
// API keys of the workspace (admins): create one (its secret is shown once, here), see when
// each was last used, revoke one after confirming.
import type { ApiKey, Role } from "@pictograph/schema";
import { ApiKeyCreateSchema, ROLES } from "@pictograph/schema";
import { useState, type FormEvent } from "react";
import { api, describeFailure } from "./api-client";
import { ConfirmDialog } from "./confirm-dialog";
import { Field } from "./field";
import { formatAge, formatDateTime } from "./humanize";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { useNow } from "./use-now";
import { useQuery } from "./use-query";

const ROLE_LINES: Record<Role, string> = {
  viewer: "viewer: read and download",
  member: "member: also create datasets, imports and exports",
  admin: "admin: also delete and manage keys",
};

export function ApiKeysPage() {
  const session = useSession();
  const isAdmin = can(session.role, "admin");
  const keys = useQuery(isAdmin ? `api-keys:${session.workspace}` : null, () =>
    api.apiKeys.list.query(),
  );
  const now = useNow();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  if (!isAdmin)
    return (
      <>
        <h1 className="page-title">API keys</h1>
        <EmptyState title="API keys are managed by admins">
          <p>
            Your role in {session.workspace} is {session.role}. Ask an admin of the workspace for a
            key for the SDK or CLI.
          </p>
        </EmptyState>
      </>
    );

  async function revoke() {
    if (!revoking) return;
    setRevokeBusy(true);
    setRevokeError(null);
    try {
      const updated = await api.apiKeys.revoke.mutate({ id: revoking.id });
      keys.update((list) => list?.map((k) => (k.id === updated.id ? updated : k)));
      setRevoking(null);
    } catch (error) {
      setRevokeError(describeFailure(error).message);
    } finally {
      setRevokeBusy(false);
    }
  }

  return (
    <>
      <div className="page-header">
        <div>
          <h1 className="page-title">API keys</h1>
          <p className="page-subtitle">
            Keys for the SDK, the CLI and scripts in workspace <strong>{session.workspace}</strong>.
            Send one as <code>X-API-Key</code> or set <code>PICTOGRAPH_API_KEY</code>.
          </p>
        </div>
      </div>
      <CreateKeyForm
        onCreated={(key, secret) => {
          setCreated({ name: key.name, key: secret });
          setCopied(false);
          keys.update((list) => [key, ...(list ?? [])]);
        }}
      />
      {created ? (
        <div className="notice notice--success" role="status">
          <p className="notice__title">
            Key “{created.name}” created. Copy it now: it is not shown again.
          </p>
          <div className="secret">
            <code className="secret__value" aria-label="Key secret">
              {created.key}
            </code>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.key).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      ) : null}
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading" className="card__title">
          Keys
        </h2>
        {keys.failure && !keys.data ? (
          <FailureNotice failure={keys.failure} onRetry={keys.reload} />
        ) : !keys.data ? (
          <LoadingRows label="Loading API keys" />
        ) : keys.data.length === 0 ? (
          <p className="muted">
            No API keys yet. Create one above for each program or person that calls the API.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((k) => (
                  <tr key={k.id} className={k.revoked_at ? "is-revoked" : undefined}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>
                      <span className={`role role--${k.role}`}>{k.role}</span>
                    </td>
                    <td title={formatDateTime(k.created_at)}>{formatAge(k.created_at, now)}</td>
                    <td title={formatDateTime(k.last_used_at)}>
                      {k.last_used_at ? formatAge(k.last_used_at, now) : "never"}
                    </td>
                    <td className="data-table__actions">
                      {k.revoked_at ? (
                        <span className="muted">Revoked {formatAge(k.revoked_at, now)}</span>
                      ) : (
                        <button
                          type="button"
                          className="button button--ghost-danger button--small"
                          aria-label={`Revoke ${k.name}`}
                          onClick={() => {
                            setRevokeError(null);
                            setRevoking(k);
                          }}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke key “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke key"
        busyLabel="Revoking…"
        busy={revokeBusy}
        error={revokeError}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>Programs using it stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

function CreateKeyForm({ onCreated }: { onCreated(key: ApiKey, secret: string): void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [errors, setErrors] = useState<{ name?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = ApiKeyCreateSchema.safeParse({ name: name.trim(), role });
    if (!parsed.success) {
      setErrors({ name: parsed.error.issues[0]?.message });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const { key, ...created } = await api.apiKeys.create.mutate(parsed.data);
      onCreated(created, key);
      setName("");
    } catch (error) {
      setErrors({ form: describeFailure(error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-key-title">
      <h2 id="new-key-title" className="card__title">
        New API key
      </h2>
      {errors.form ? (
        <p className="notice notice--error notice--inline" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form__row form__row--with-action">
        <Field label="Name" error={errors.name} hint="Who or what uses it, e.g. training-server.">
          {(control) => (
            <input
              {...control}
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Role" hint={ROLE_LINES[role]}>
          {(control) => (
            <select
              {...control}
              className="select"
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form__inline-action">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? "Creating…" : "Create key"}
          </button>
        </div>
      </div>
    </form>
  );
}
