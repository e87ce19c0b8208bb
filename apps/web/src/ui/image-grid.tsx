"use client";
// The dataset's images as a grid of thumbnails with their annotations drawn on top, filtered
// by status, split and class (kept in the address, so a filtered view can be shared).
import type { Annotation, Image } from "@pictograph/schema";
import { IMAGE_STATUSES, SPLITS, type ImageStatus, type Split } from "@pictograph/schema";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useId, useState } from "react";
import { AnnotationOverlay } from "./annotation-overlay";
import { api, describeFailure, type ApiFailure } from "./api-client";
import { useDataset } from "./dataset-frame";
import { formatCount, plural } from "./humanize";
import { imageFileUrl, imagePageUrl } from "./image-links";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { imageStatusLabel, StatusPill } from "./status-pill";
import { useQuery } from "./use-query";

const PAGE_SIZE = 48;

type GridImage = Image & { annotations: Annotation[] };
type Filters = { status?: ImageStatus; split?: Split; class_name?: string };

async function loadPage(dataset: string, filters: Filters, cursor: string | null) {
  const page = await api.images.list.query({ dataset, ...filters, limit: PAGE_SIZE, cursor });
  // One batched request for all the page's annotations (the list does not carry them).
  const annotations = await Promise.all(
    page.data.map((image) =>
      image.annotation_count > 0
        ? api.annotations.get.query({ dataset, path: image.path }).then((a) => a.annotations)
        : Promise.resolve([] as Annotation[]),
    ),
  );
  return {
    images: page.data.map((image, i) => ({ ...image, annotations: annotations[i]! })),
    cursor: page.next_cursor,
  };
}

function readFilters(params: URLSearchParams, classNames: string[]): Filters {
  const status = params.get("status");
  const split = params.get("split");
  const className = params.get("class");
  return {
    status: IMAGE_STATUSES.includes(status as ImageStatus) ? (status as ImageStatus) : undefined,
    split: SPLITS.includes(split as Split) ? (split as Split) : undefined,
    class_name: className !== null && classNames.includes(className) ? className : undefined,
  };
}

export function ImageGrid() {
  const { dataset, classes, colors, jointOrder } = useDataset();
  const session = useSession();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(
    params,
    classes.map((c) => c.name),
  );
  const [showOverlays, setShowOverlays] = useState(true);
  const ids = useId();
  const key = `images:${dataset.name}:${filters.status ?? ""}:${filters.split ?? ""}:${filters.class_name ?? ""}`;
  const first = useQuery(key, () => loadPage(dataset.name, filters, null));
  const [more, setMore] = useState<{
    key: string;
    images: GridImage[];
    cursor: string | null;
  } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreFailure, setMoreFailure] = useState<ApiFailure | null>(null);
  useEffect(() => setMore(null), [key]);

  const extra = more?.key === key ? more : null;
  const images = [...(first.data?.images ?? []), ...(extra?.images ?? [])];
  const cursor = extra ? extra.cursor : (first.data?.cursor ?? null);
  const filtered = Boolean(filters.status || filters.split || filters.class_name);

  function setFilter(name: "status" | "split" | "class", value: string) {
    // From the address as it is now, not as of the last render: two quick changes both stick.
    // history.replaceState is synchronous, and Next keeps useSearchParams in step with it.
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
  }

  function clearFilters() {
    window.history.replaceState(null, "", pathname);
  }

  async function loadMore() {
    if (!cursor) return;
    setMoreBusy(true);
    setMoreFailure(null);
    try {
      const page = await loadPage(dataset.name, filters, cursor);
      setMore({ key, images: [...(extra?.images ?? []), ...page.images], cursor: page.cursor });
    } catch (error) {
      setMoreFailure(describeFailure(error));
    } finally {
      setMoreBusy(false);
    }
  }

  const counts = dataset.image_counts;
  return (
    <section aria-labelledby="images-heading">
      <h2 id="images-heading" className="visually-hidden">
        Images
      </h2>
      <div className="toolbar" role="group" aria-label="Filters">
        <div className="toolbar__filters">
          <div className="toolbar__field">
            <label className="toolbar__label" htmlFor={`${ids}-status`}>
              Status
            </label>
            <select
              id={`${ids}-status`}
              className="select"
              value={filters.status ?? ""}
              onChange={(e) => setFilter("status", e.target.value)}
            >
              <option value="">All statuses ({formatCount(counts.total)})</option>
              {IMAGE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {imageStatusLabel(s)} ({formatCount(counts[s])})
                </option>
              ))}
            </select>
          </div>
          <div className="toolbar__field">
            <label className="toolbar__label" htmlFor={`${ids}-split`}>
              Split
            </label>
            <select
              id={`${ids}-split`}
              className="select"
              value={filters.split ?? ""}
              onChange={(e) => setFilter("split", e.target.value)}
            >
              <option value="">All splits</option>
              {SPLITS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="toolbar__field">
            <label className="toolbar__label" htmlFor={`${ids}-class`}>
              Class
            </label>
            <select
              id={`${ids}-class`}
              className="select"
              value={filters.class_name ?? ""}
              onChange={(e) => setFilter("class", e.target.value)}
            >
              <option value="">All classes</option>
              {classes.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          {filtered ? (
            <button
              type="button"
              className="button button--ghost button--small toolbar__clear"
              onClick={clearFilters}
            >
              Clear filters
            </button>
          ) : null}
        </div>
        <label className="checkbox toolbar__toggle">
          <input
            type="checkbox"
            checked={showOverlays}
            onChange={(e) => setShowOverlays(e.target.checked)}
          />
          <span>Show annotations</span>
        </label>
      </div>
      {classes.length > 0 ? (
        <ul className="legend" aria-label="Class colors">
          {classes.map((c) => (
            <li key={c.name} className="legend__item">
              <span className="legend__swatch" style={{ background: c.color }} aria-hidden="true" />
              {c.name}
            </li>
          ))}
        </ul>
      ) : null}

      {first.failure ? (
        <FailureNotice failure={first.failure} onRetry={first.reload} />
      ) : !first.data ? (
        <LoadingRows label="Loading images" rows={4} />
      ) : images.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No images match these filters"
            action={
              <button type="button" className="button button--secondary" onClick={clearFilters}>
                Clear filters
              </button>
            }
          >
            <p>Try another status, split or class.</p>
          </EmptyState>
        ) : (
          <EmptyState
            title="This dataset has no images yet"
            action={
              can(session.role, "member") ? (
                <Link
                  className="button button--primary"
                  href={`/datasets/${encodeURIComponent(dataset.name)}/import`}
                >
                  Import a ZIP
                </Link>
              ) : null
            }
          >
            <p>
              Import a ZIP with images and annotations in any of the seven formats, or upload images
              with <code>PUT /api/v1/datasets/{dataset.name}/images/&#123;path&#125;</code>.
            </p>
          </EmptyState>
        )
      ) : (
        <>
          <p className="grid-count" aria-live="polite">
            Showing {formatCount(images.length)}
            {cursor ? "" : ` of ${plural(images.length, "image")}`}
            {filtered ? " matching the filters" : ""}
          </p>
          <ul className="image-grid" aria-label="Images">
            {images.map((image) => (
              <li key={image.id} className="image-card">
                <Link href={imagePageUrl(dataset.name, image.path)} className="image-card__link">
                  <div
                    className="image-card__frame"
                    style={{ aspectRatio: `${image.width} / ${image.height}` }}
                  >
                    {/* The original, scaled by the browser: the API has no thumbnail service yet. */}
                    <img
                      src={imageFileUrl(dataset.name, image.path)}
                      alt=""
                      width={image.width}
                      height={image.height}
                      loading="lazy"
                      decoding="async"
                      className="image-card__img"
                    />
                    <span
                      className="image-card__badge"
                      title={plural(image.annotation_count, "annotation")}
                    >
                      <span aria-hidden="true">{formatCount(image.annotation_count)}</span>
                      <span className="visually-hidden">
                        {plural(image.annotation_count, "annotation")}
                      </span>
                    </span>
                    {showOverlays ? (
                      <AnnotationOverlay
                        width={image.width}
                        height={image.height}
                        annotations={image.annotations}
                        colors={colors}
                        jointOrder={jointOrder}
                      />
                    ) : null}
                  </div>
                  <div className="image-card__meta">
                    <span className="image-card__path" title={image.path}>
                      {image.path}
                    </span>
                    <span className="image-card__facts">
                      <StatusPill status={image.status} />
                      <span className="tag">{image.split ?? "no split"}</span>
                    </span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
          {moreFailure ? (
            <FailureNotice failure={moreFailure} onRetry={() => void loadMore()} />
          ) : null}
          {cursor ? (
            <div className="load-more">
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void loadMore()}
                disabled={moreBusy}
              >
                {moreBusy ? "Loading…" : "Load more images"}
              </button>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}
