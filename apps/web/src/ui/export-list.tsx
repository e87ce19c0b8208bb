"use client";
// The dataset's exports, updated live: each row keeps its size and place while its status,
// progress and counts change. Download asks for a fresh signed URL on every click; delete
// (admins) asks first.
import type { Export } from "@pictograph/schema";
import { useState } from "react";
import { api, describeFailure } from "./api-client";
import { ConfirmDialog } from "./confirm-dialog";
import { FORMAT_GUIDE } from "./format-guide";
import { formatAge, formatBytes, formatCount, formatDateTime } from "./humanize";
import { ProgressBar } from "./progress-bar";
import { can, useSession } from "./session";
import { StatusPill } from "./status-pill";
import { useNow } from "./use-now";

const STATUS_FILTER_LABELS: Record<string, string> = {
  all: "all statuses",
  complete: "complete",
  in_progress: "in progress",
  new: "new",
};

function describeOptions(e: Export): string {
  const parts = [
    FORMAT_GUIDE[e.format].label,
    e.include_images ? "with images" : "annotations only",
    e.class_filter ? e.class_filter.join(", ") : "all classes",
    STATUS_FILTER_LABELS[e.status_filter] ?? e.status_filter,
  ];
  return parts.join(" · ");
}

export function ExportList({
  exports,
  onDeleted,
}: {
  exports: Export[];
  onDeleted(name: string): void;
}) {
  const session = useSession();
  const now = useNow(15_000);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [downloading, setDownloading] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Export | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const mayDelete = can(session.role, "admin");

  async function download(e: Export) {
    setDownloading(e.name);
    setRowErrors(({ [e.name]: _, ...rest }) => rest);
    try {
      // A fresh signed URL each time: an old link may have expired.
      const { url } = await api.exports.download.query({ dataset: e.dataset_name, name: e.name });
      window.location.assign(url);
    } catch (error) {
      setRowErrors((errors) => ({ ...errors, [e.name]: describeFailure(error).message }));
    } finally {
      setDownloading(null);
    }
  }

  async function remove() {
    if (!confirming) return;
    setDeleting(true);
    setDeleteError(null);
    try {
      await api.exports.delete.mutate({ dataset: confirming.dataset_name, name: confirming.name });
      onDeleted(confirming.name);
      setConfirming(null);
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.code === "not_found") {
        onDeleted(confirming.name);
        setConfirming(null);
      } else setDeleteError(failure.message);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <>
      <table className="export-table">
        <caption className="visually-hidden">Exports of this dataset, newest first</caption>
        <colgroup>
          <col className="export-table__col-name" />
          <col className="export-table__col-status" />
          <col className="export-table__col-progress" />
          <col className="export-table__col-number" />
          <col className="export-table__col-number" />
          <col className="export-table__col-size" />
          <col className="export-table__col-age" />
          <col className="export-table__col-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Export</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col" className="num">
              Images
            </th>
            <th scope="col" className="num">
              Annotations
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {exports.map((e) => {
            const rowError = rowErrors[e.name];
            return (
              <tr key={e.id} className="export-row" data-export={e.name} data-status={e.status}>
                <td className="export-row__main">
                  <span className="export-row__name">{e.name}</span>
                  <span className="export-row__options" title={describeOptions(e)}>
                    {describeOptions(e)}
                  </span>
                  {rowError ? (
                    <span className="export-row__note export-row__note--error" role="alert">
                      {rowError}
                    </span>
                  ) : e.status === "failed" ? (
                    <details className="export-row__reason">
                      <summary className="export-row__note export-row__note--error">
                        {e.error_message ?? "the build failed"}
                      </summary>
                      <p>{e.error_message ?? "The build failed without a message."}</p>
                    </details>
                  ) : (
                    <span className="export-row__note">
                      {e.status === "pending"
                        ? "Waiting for a worker"
                        : e.status === "processing"
                          ? "Writing the ZIP"
                          : e.expires_at
                            ? `Kept until ${formatDateTime(e.expires_at)}`
                            : "Ready to download"}
                    </span>
                  )}
                </td>
                <td data-label="Status">
                  <StatusPill status={e.status} />
                </td>
                <td data-label="Progress">
                  <ProgressBar
                    value={e.status === "completed" ? 100 : e.progress}
                    status={e.status}
                    label={`Progress of ${e.name}`}
                  />
                </td>
                <td className="num" data-label="Images">
                  {formatCount(e.image_count)}
                </td>
                <td className="num" data-label="Annotations">
                  {formatCount(e.annotation_count)}
                </td>
                <td className="num" data-label="Size">
                  {formatBytes(e.size_bytes)}
                </td>
                <td data-label="Created">
                  <time dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                    {formatAge(e.created_at, now)}
                  </time>
                </td>
                <td className="export-row__actions">
                  {e.status === "completed" ? (
                    <button
                      type="button"
                      className="button button--secondary button--small export-row__download"
                      onClick={() => void download(e)}
                      disabled={downloading === e.name}
                      aria-label={`Download ${e.name}`}
                    >
                      {downloading === e.name ? "Preparing…" : "Download"}
                    </button>
                  ) : (
                    <span className="button-placeholder" aria-hidden="true" />
                  )}
                  {mayDelete ? (
                    <button
                      type="button"
                      className="button button--ghost-danger button--small"
                      onClick={() => {
                        setDeleteError(null);
                        setConfirming(e);
                      }}
                      aria-label={`Delete ${e.name}`}
                    >
                      Delete
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ConfirmDialog
        open={confirming !== null}
        title={`Delete export “${confirming?.name ?? ""}”?`}
        confirmLabel="Delete export"
        busyLabel="Deleting…"
        busy={deleting}
        error={deleteError}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(null)}
      >
        {confirming?.status === "completed" ? (
          <p>
            Its ZIP is removed and download links stop working, including downloads in progress.
            This cannot be undone.
          </p>
        ) : (
          <p>The build is cancelled and the export removed. This cannot be undone.</p>
        )}
      </ConfirmDialog>
    </>
  );
}
