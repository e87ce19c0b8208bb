"use client";
// The workspace's datasets with image counts by status; members can create one here.
import type { Dataset } from "@pictograph/schema";
import { DatasetCreateSchema } from "@pictograph/schema";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { api, describeFailure } from "./api-client";
import { Field } from "./field";
import { plural } from "./humanize";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { StatusBar } from "./status-bar";
import { useQuery } from "./use-query";

async function listAllDatasets(): Promise<Dataset[]> {
  const all: Dataset[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.datasets.list.query({ limit: 200, cursor });
    all.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && all.length < 2000);
  return all;
}

export function DatasetsPage() {
  const session = useSession();
  const datasets = useQuery(`datasets:${session.workspace}`, listAllDatasets);
  const [creating, setCreating] = useState(false);
  const mayCreate = can(session.role, "member");

  return (
    <>
      <div className="page-header">
        <div>
          <h1 className="page-title">Datasets</h1>
          <p className="page-subtitle">
            Workspace <strong>{session.workspace}</strong>
            {datasets.data ? ` · ${plural(datasets.data.length, "dataset")}` : null}
          </p>
        </div>
        {mayCreate && !creating ? (
          <button
            type="button"
            className="button button--primary"
            onClick={() => setCreating(true)}
          >
            New dataset
          </button>
        ) : null}
      </div>
      {creating ? (
        <CreateDatasetForm
          onDone={(created) => {
            setCreating(false);
            if (created)
              datasets.update((list) =>
                [...(list ?? []), created].sort((a, b) => a.name.localeCompare(b.name)),
              );
          }}
        />
      ) : null}
      {datasets.failure ? (
        <FailureNotice failure={datasets.failure} onRetry={datasets.reload} />
      ) : !datasets.data ? (
        <LoadingRows label="Loading datasets" />
      ) : datasets.data.length === 0 ? (
        <EmptyState
          title="No datasets yet"
          action={
            mayCreate && !creating ? (
              <button
                type="button"
                className="button button--primary"
                onClick={() => setCreating(true)}
              >
                Create a dataset
              </button>
            ) : null
          }
        >
          {mayCreate ? (
            <p>
              Create a dataset, then import a ZIP in any of the seven formats (COCO, YOLO, CVAT,
              Pascal VOC, LabelMe, CSV or Pictograph JSON).
            </p>
          ) : (
            <p>
              Nothing has been shared in this workspace yet. Ask a member of {session.workspace} to
              create or import a dataset.
            </p>
          )}
        </EmptyState>
      ) : (
        <ul className="dataset-grid" aria-label="Datasets">
          {datasets.data.map((dataset) => (
            <li key={dataset.id} className="card dataset-card">
              <div className="dataset-card__head">
                <h2 className="dataset-card__name">
                  <Link href={`/datasets/${dataset.name}`}>{dataset.name}</Link>
                </h2>
                <span className="dataset-card__total">
                  {plural(dataset.image_counts.total, "image")}
                </span>
              </div>
              <p className="dataset-card__description">
                {dataset.description || "No description."}
              </p>
              <StatusBar counts={dataset.image_counts} />
              <div className="dataset-card__actions">
                <Link
                  className="button button--secondary button--small"
                  href={`/datasets/${dataset.name}`}
                >
                  Browse images
                </Link>
                <Link
                  className="button button--secondary button--small"
                  href={`/datasets/${dataset.name}/exports`}
                >
                  Exports
                </Link>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function CreateDatasetForm({ onDone }: { onDone(created: Dataset | null): void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<{ name?: string; description?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = DatasetCreateSchema.safeParse({ name, description });
    if (!parsed.success) {
      const found: typeof errors = {};
      for (const issue of parsed.error.issues)
        found[issue.path[0] === "description" ? "description" : "name"] ??= issue.message;
      setErrors(found);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onDone(await api.datasets.create.mutate(parsed.data));
    } catch (error) {
      const failure = describeFailure(error);
      setErrors(
        failure.code === "conflict" ? { name: failure.message } : { form: failure.message },
      );
      setBusy(false);
    }
  }

  return (
    <form
      className="card form form--inline-card"
      onSubmit={submit}
      noValidate
      aria-label="New dataset"
    >
      <h2 className="card__title">New dataset</h2>
      {errors.form ? (
        <p className="notice notice--error notice--inline" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form__row">
        <Field
          label="Name"
          error={errors.name}
          hint="Letters, digits, '.', '_' and '-'; it appears in URLs and file names."
        >
          {(control) => (
            <input
              {...control}
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
            />
          )}
        </Field>
        <Field label="Description" error={errors.description}>
          {(control) => (
            <input
              {...control}
              className="input"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? "Creating…" : "Create dataset"}
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => onDone(null)}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
