"use client";
// Import a ZIP into the dataset: pick the format, upload (with upload progress), then watch
// the worker read it and read its report: what came in and what could not, file by file.
import type { Format, Import } from "@pictograph/schema";
import { FORMATS } from "@pictograph/schema";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, describeResponseFailure, type ApiFailure } from "./api-client";
import { useDataset } from "./dataset-frame";
import { Field } from "./field";
import { FORMAT_GUIDE } from "./format-guide";
import { formatAge, formatBytes, formatCount, plural } from "./humanize";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { ProgressBar } from "./progress-bar";
import { can, useSession } from "./session";
import { StatusPill } from "./status-pill";
import { useNow } from "./use-now";
import { useQuery } from "./use-query";

/** POST the ZIP as the request body; XMLHttpRequest because fetch reports no upload progress. */
function uploadZip(
  dataset: string,
  format: Format,
  file: File,
  onProgress: (percent: number) => void,
): Promise<Import> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(
      "POST",
      `/api/v1/datasets/${encodeURIComponent(dataset)}/imports?format=${format}`,
    );
    request.setRequestHeader("content-type", "application/zip");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress((100 * event.loaded) / event.total);
    };
    request.onload = () => {
      if (request.status === 202) resolve(JSON.parse(request.responseText) as Import);
      else reject(describeResponseFailure(request.status, request.responseText));
    };
    request.onerror = () => reject(describeResponseFailure(0, ""));
    request.send(file);
  });
}

const isActive = (i: Import) => i.status === "pending" || i.status === "processing";

export function ImportPage() {
  const { dataset, reload: reloadDataset } = useDataset();
  const session = useSession();
  const now = useNow();
  const [format, setFormat] = useState<Format>("coco");
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [uploadPercent, setUploadPercent] = useState<number | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const imports = useQuery(
    `imports:${dataset.name}`,
    () => api.imports.list.query({ dataset: dataset.name }),
    {
      pollMs: (data) => (data?.some(isActive) ? 1000 : null),
    },
  );
  const anyActive = imports.data?.some(isActive) ?? false;
  const wasActive = useRef(false);
  useEffect(() => {
    // An import just finished: the dataset's counts and classes changed.
    if (wasActive.current && !anyActive) reloadDataset();
    wasActive.current = anyActive;
  }, [anyActive, reloadDataset]);

  if (!can(session.role, "member"))
    return (
      <EmptyState title="Importing needs the member role">
        <p>
          Your role in {session.workspace} is {session.role}. Ask an admin for member access to
          import data.
        </p>
      </EmptyState>
    );

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (!file) {
      setFileError("choose a ZIP file to import");
      return;
    }
    setFileError(null);
    setUploadPercent(0);
    try {
      const created = await uploadZip(dataset.name, format, file, setUploadPercent);
      setSelectedId(created.id);
      imports.update((data) => [created, ...(data ?? [])]);
      imports.reload();
      setFile(null);
      (event.target as HTMLFormElement).reset();
    } catch (error) {
      setFailure(error as ApiFailure);
    } finally {
      setUploadPercent(null);
    }
  }

  const selected = imports.data?.find((i) => i.id === selectedId) ?? imports.data?.[0] ?? null;
  return (
    <div className="imports">
      <form className="card form" onSubmit={submit} noValidate aria-labelledby="import-title">
        <div className="card__header">
          <h2 id="import-title" className="card__title">
            Import a ZIP
          </h2>
          <p className="card__lead">
            Images and annotations are added to <strong>{dataset.name}</strong>; an image already
            here with the same path is updated. The import runs in the background.
          </p>
        </div>
        {failure ? <FailureNotice failure={failure} title="The upload was refused" /> : null}
        <div className="form__row">
          <Field label="Format of the ZIP" hint={FORMAT_GUIDE[format].line}>
            {(control) => (
              <select
                {...control}
                className="select"
                value={format}
                onChange={(e) => setFormat(e.target.value as Format)}
              >
                {FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_GUIDE[f].label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="ZIP file"
            error={fileError}
            hint={
              file
                ? `${file.name} · ${formatBytes(file.size)}`
                : "A .zip as another tool exported it."
            }
          >
            {(control) => (
              <input
                {...control}
                className="input input--file"
                type="file"
                accept=".zip,application/zip"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
        </div>
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={uploadPercent !== null}
          >
            {uploadPercent !== null ? "Uploading…" : "Upload and import"}
          </button>
          {uploadPercent !== null ? (
            <ProgressBar value={uploadPercent} status="processing" label="Upload progress" />
          ) : null}
        </div>
      </form>

      <section className="card" aria-labelledby="imports-heading">
        <h2 id="imports-heading" className="card__title">
          Imports
        </h2>
        {imports.failure && !imports.data ? (
          <FailureNotice failure={imports.failure} onRetry={imports.reload} />
        ) : !imports.data ? (
          <LoadingRows label="Loading imports" />
        ) : imports.data.length === 0 ? (
          <p className="muted">No imports yet. Upload a ZIP above; its report appears here.</p>
        ) : (
          <div className="imports__body">
            <ul className="import-list" aria-label="Imports, newest first">
              {imports.data.map((i) => (
                <li key={i.id}>
                  <button
                    type="button"
                    className={`import-list__item${selected?.id === i.id ? " is-selected" : ""}`}
                    aria-pressed={selected?.id === i.id}
                    onClick={() => setSelectedId(i.id)}
                  >
                    <span className="import-list__format">{FORMAT_GUIDE[i.format].label}</span>
                    <StatusPill status={i.status} />
                    <span className="import-list__age">{formatAge(i.created_at, now)}</span>
                  </button>
                </li>
              ))}
            </ul>
            {selected ? <ImportReport item={selected} /> : null}
          </div>
        )}
      </section>
    </div>
  );
}

function ImportReport({ item }: { item: Import }) {
  const report = item.report;
  return (
    <div className="import-report" aria-live="polite">
      <div className="import-report__head">
        <StatusPill status={item.status} />
        <ProgressBar
          value={item.status === "completed" ? 100 : item.progress}
          status={item.status}
          label="Import progress"
        />
      </div>
      {item.status === "failed" ? (
        <p className="notice notice--error notice--inline">
          {item.error_message ?? "The import failed."}
        </p>
      ) : null}
      {report ? (
        <>
          <dl className="stats">
            <div className="stats__item">
              <dt>Images</dt>
              <dd>{formatCount(report.images)}</dd>
            </div>
            <div className="stats__item">
              <dt>Annotations</dt>
              <dd>{formatCount(report.annotations)}</dd>
            </div>
            <div className="stats__item">
              <dt>Image files</dt>
              <dd>{formatCount(report.image_files)}</dd>
            </div>
            <div className="stats__item">
              <dt>Problems</dt>
              <dd>{formatCount(report.problems.length + report.problems_truncated)}</dd>
            </div>
          </dl>
          {report.problems.length ? (
            <div className="table-scroll">
              <table className="problems">
                <caption className="problems__caption">
                  What could not be imported
                  {report.problems_truncated
                    ? ` (${plural(report.problems_truncated, "more problem")} not listed)`
                    : ""}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Where</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {report.problems.map((p, index) => (
                    <tr key={index}>
                      <td>
                        <code>{p.file}</code>
                      </td>
                      <td>{p.line !== null ? `line ${p.line}` : (p.element ?? "—")}</td>
                      <td>{p.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">Everything in the ZIP was imported.</p>
          )}
        </>
      ) : isActive(item) ? (
        <p className="muted">Reading the ZIP… the report appears when the import finishes.</p>
      ) : null}
    </div>
  );
}
