"use client";
// Exports of one dataset: the create form (members) and the live list. The list is polled
// every second while anything is queued or building, and every few seconds otherwise, so
// exports made elsewhere (SDK, CLI) show up without a reload.
import type { Export } from "@pictograph/schema";
import { api } from "./api-client";
import { useDataset } from "./dataset-frame";
import { ExportForm } from "./export-form";
import { ExportList } from "./export-list";
import { plural } from "./humanize";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { useQuery } from "./use-query";

const isActive = (e: Export) => e.status === "pending" || e.status === "processing";

export function ExportsPage() {
  const { dataset } = useDataset();
  const session = useSession();
  const mayCreate = can(session.role, "member");
  const list = useQuery(
    `exports:${dataset.name}`,
    async () => (await api.exports.list.query({ dataset: dataset.name, limit: 100 })).data,
    { pollMs: (data) => (data?.some(isActive) ? 1000 : 5000) },
  );
  const active = list.data?.filter(isActive).length ?? 0;

  return (
    <div className="exports">
      {mayCreate ? (
        <ExportForm
          onCreated={(created) => {
            list.update((data) => [created, ...(data ?? []).filter((e) => e.id !== created.id)]);
            list.reload();
          }}
        />
      ) : null}
      <section className="card exports__list" aria-labelledby="exports-heading">
        <div className="card__header card__header--row">
          <h2 id="exports-heading" className="card__title">
            Exports {list.data ? <span className="card__count">{list.data.length}</span> : null}
          </h2>
          <p className="live" aria-live="polite">
            {active ? (
              <>
                <span className="live__dot" aria-hidden="true" />
                {plural(active, "export")} building · updating live
              </>
            ) : (
              "\u00a0"
            )}
          </p>
        </div>
        {list.failure && !list.data ? (
          <FailureNotice failure={list.failure} onRetry={list.reload} />
        ) : !list.data ? (
          <LoadingRows label="Loading exports" />
        ) : list.data.length === 0 ? (
          <EmptyState title="No exports yet">
            {mayCreate ? (
              <p>
                Name an export above, pick the format your training framework reads, and create it.
                It builds in the background.
              </p>
            ) : (
              <p>
                Members of {session.workspace} create exports; once one is ready you can download it
                here.
              </p>
            )}
          </EmptyState>
        ) : (
          <ExportList
            exports={list.data}
            onDeleted={(name) => list.update((data) => data?.filter((e) => e.name !== name))}
          />
        )}
      </section>
    </div>
  );
}
