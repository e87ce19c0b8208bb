"use client";
// Everything under /datasets/{name}: loads the dataset and its classes once, shows its header
// and tabs, and hands both to the page below through context.
import type { Class, Dataset } from "@pictograph/schema";
import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { api } from "./api-client";
import { plural } from "./humanize";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { useQuery } from "./use-query";

type DatasetContextValue = {
  dataset: Dataset;
  classes: Class[];
  colors: ReadonlyMap<string, string>;
  jointOrder: ReadonlyMap<string, string[]>;
  reload(): void;
};

const DatasetContext = createContext<DatasetContextValue | null>(null);

export function useDataset(): DatasetContextValue {
  const value = useContext(DatasetContext);
  if (!value) throw new Error("useDataset is only for pages under /datasets/{name}");
  return value;
}

export function DatasetFrame({ children }: { children: ReactNode }) {
  const params = useParams<{ dataset: string }>();
  const name = decodeURIComponent(params.dataset);
  const pathname = usePathname();
  const session = useSession();
  const query = useQuery(`dataset:${name}`, async () => {
    const [dataset, classes] = await Promise.all([
      api.datasets.get.query({ dataset: name }),
      api.classes.list.query({ dataset: name }),
    ]);
    return { dataset, classes };
  });
  const value = useMemo<DatasetContextValue | null>(() => {
    if (!query.data) return null;
    const { dataset, classes } = query.data;
    return {
      dataset,
      classes,
      colors: new Map(classes.map((c) => [c.name, c.color])),
      jointOrder: new Map(classes.filter((c) => c.keypoints).map((c) => [c.name, c.keypoints!])),
      reload: query.reload,
    };
  }, [query.data, query.reload]);

  if (query.failure?.code === "not_found")
    return (
      <EmptyState
        title={`No dataset named “${name}”`}
        action={
          <Link className="button button--primary" href="/datasets">
            All datasets
          </Link>
        }
      >
        <p>It may have been renamed or deleted, or it belongs to another workspace.</p>
      </EmptyState>
    );
  if (query.failure && !value)
    return <FailureNotice failure={query.failure} onRetry={query.reload} />;

  const base = `/datasets/${encodeURIComponent(name)}`;
  const tabs = [
    {
      href: base,
      label: "Images",
      active: pathname === base || pathname.startsWith(`${base}/image`),
    },
    { href: `${base}/exports`, label: "Exports", active: pathname.startsWith(`${base}/exports`) },
    ...(can(session.role, "member")
      ? [{ href: `${base}/import`, label: "Import", active: pathname.startsWith(`${base}/import`) }]
      : []),
  ];
  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/datasets">Datasets</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{name}</span>
      </nav>
      <div className="page-header page-header--dataset">
        <div>
          <h1 className="page-title">{name}</h1>
          <p className="page-subtitle">
            {value ? (
              <>
                {plural(value.dataset.image_counts.total, "image")} ·{" "}
                {plural(value.classes.length, "class", "classes")}
                {value.dataset.description ? ` · ${value.dataset.description}` : null}
              </>
            ) : (
              "\u00a0"
            )}
          </p>
        </div>
      </div>
      <nav className="tabs" aria-label="Dataset">
        {tabs.map((tab) => (
          <Link
            key={tab.href}
            href={tab.href}
            className="tabs__tab"
            aria-current={tab.active ? "page" : undefined}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
      {value ? (
        <DatasetContext.Provider value={value}>{children}</DatasetContext.Provider>
      ) : (
        <LoadingRows label="Loading dataset" />
      )}
    </>
  );
}
