"use client";
// One image at full size with its annotations drawn and listed; members change its review
// status here. Hovering or focusing a listed annotation picks it out on the image.
import type { Annotation, ImageStatus } from "@pictograph/schema";
import { IMAGE_STATUSES } from "@pictograph/schema";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { AnnotationOverlay } from "./annotation-overlay";
import { api, describeFailure } from "./api-client";
import { useDataset } from "./dataset-frame";
import { formatBytes, formatDateTime, plural } from "./humanize";
import { imageFileUrl } from "./image-links";
import { EmptyState, FailureNotice, LoadingRows } from "./notice";
import { can, useSession } from "./session";
import { imageStatusLabel, StatusPill } from "./status-pill";
import { useQuery } from "./use-query";

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function describeGeometry(a: Annotation): string {
  switch (a.type) {
    case "bbox":
      return `box at ${round(a.bbox.x)}, ${round(a.bbox.y)} · ${round(a.bbox.w)} × ${round(a.bbox.h)}`;
    case "polygon": {
      const [outer, ...holes] = a.polygon.paths;
      return `polygon · ${plural(outer?.length ?? 0, "point")}${holes.length ? ` · ${plural(holes.length, "hole")}` : ""}`;
    }
    case "polyline":
      return `polyline · ${plural(a.polyline.path.length, "point")}`;
    case "keypoint":
      return `${a.joint ?? "point"} at ${round(a.keypoint.x)}, ${round(a.keypoint.y)}${a.instance_id !== null ? ` · instance ${a.instance_id}` : ""}`;
  }
}

export function ImageView() {
  const { dataset, colors, jointOrder, reload: reloadDataset } = useDataset();
  const session = useSession();
  const path = useSearchParams().get("path") ?? "";
  const query = useQuery(path ? `image:${dataset.name}:${path}` : null, async () => {
    const [image, annotations] = await Promise.all([
      api.images.get.query({ dataset: dataset.name, path }),
      api.annotations.get.query({ dataset: dataset.name, path }),
    ]);
    return { image, annotations: annotations.annotations };
  });
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveMessage, setSaveMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const back = `/datasets/${encodeURIComponent(dataset.name)}`;

  if (!path)
    return (
      <EmptyState
        title="No image chosen"
        action={
          <Link className="button button--primary" href={back}>
            Back to images
          </Link>
        }
      >
        <p>Pick an image in the grid to see it here.</p>
      </EmptyState>
    );
  if (query.failure?.code === "not_found")
    return (
      <EmptyState
        title="Image not found"
        action={
          <Link className="button button--primary" href={back}>
            Back to images
          </Link>
        }
      >
        <p>
          There is no image <code>{path}</code> in {dataset.name}.
        </p>
      </EmptyState>
    );
  if (query.failure) return <FailureNotice failure={query.failure} onRetry={query.reload} />;
  if (!query.data) return <LoadingRows label="Loading image" />;
  const { image, annotations } = query.data;

  async function changeStatus(status: ImageStatus) {
    setSaving(true);
    setSaveMessage(null);
    try {
      const updated = await api.images.update.mutate({ dataset: dataset.name, path, status });
      query.update((data) => (data ? { ...data, image: updated } : data));
      setSaveMessage({ ok: true, text: `Status saved: ${imageStatusLabel(status)}` });
      reloadDataset();
    } catch (error) {
      setSaveMessage({ ok: false, text: describeFailure(error).message });
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="image-view">
      <div className="image-view__stage">
        <Link className="back-link" href={back}>
          ← All images
        </Link>
        <h2 className="image-view__title">{image.path}</h2>
        <div
          className="image-view__frame"
          style={{ aspectRatio: `${image.width} / ${image.height}` }}
        >
          {/* The original file; overlays are drawn in its pixel space. */}
          <img
            src={imageFileUrl(dataset.name, image.path)}
            alt={image.path}
            width={image.width}
            height={image.height}
            className="image-view__img"
          />
          <AnnotationOverlay
            width={image.width}
            height={image.height}
            annotations={annotations}
            colors={colors}
            jointOrder={jointOrder}
            highlighted={highlighted}
            title={`${plural(annotations.length, "annotation")} on ${image.path}`}
          />
        </div>
      </div>
      <aside className="image-view__side" aria-label="Image details">
        <section className="card side-card">
          <h3 className="card__title">Details</h3>
          <dl className="facts">
            <div className="facts__row">
              <dt>Status</dt>
              <dd>
                {can(session.role, "member") ? (
                  <>
                    <label htmlFor="image-status" className="visually-hidden">
                      Review status
                    </label>
                    <select
                      id="image-status"
                      className="select select--compact"
                      value={image.status}
                      disabled={saving}
                      aria-describedby="image-status-message"
                      onChange={(e) => void changeStatus(e.target.value as ImageStatus)}
                    >
                      {IMAGE_STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {imageStatusLabel(s)}
                        </option>
                      ))}
                    </select>
                  </>
                ) : (
                  <StatusPill status={image.status} />
                )}
              </dd>
            </div>
            <div className="facts__row">
              <dt>Split</dt>
              <dd>{image.split ?? "none"}</dd>
            </div>
            <div className="facts__row">
              <dt>Size</dt>
              <dd>
                {image.width} × {image.height} px · {formatBytes(image.size_bytes)}
              </dd>
            </div>
            <div className="facts__row">
              <dt>Type</dt>
              <dd>{image.mime || "—"}</dd>
            </div>
            <div className="facts__row">
              <dt>Updated</dt>
              <dd>{formatDateTime(image.updated_at)}</dd>
            </div>
            {image.tags.length ? (
              <div className="facts__row">
                <dt>Tags</dt>
                <dd className="tags">
                  {image.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </dd>
              </div>
            ) : null}
          </dl>
          <p
            id="image-status-message"
            className={`save-message${saveMessage && !saveMessage.ok ? " field__error" : ""}`}
            role="status"
          >
            {saveMessage?.text ?? "\u00a0"}
          </p>
        </section>
        <section className="card side-card">
          <h3 className="card__title">
            Annotations <span className="card__count">{annotations.length}</span>
          </h3>
          {annotations.length === 0 ? (
            <p className="muted">
              No annotations on this image. It still goes into exports whose status filter it
              matches, as a negative example.
            </p>
          ) : (
            <ol className="annotation-list">
              {annotations.map((a, index) => (
                <li
                  key={index}
                  className={`annotation-list__item${highlighted === index ? " is-highlighted" : ""}`}
                  tabIndex={0}
                  onMouseEnter={() => setHighlighted(index)}
                  onMouseLeave={() => setHighlighted(null)}
                  onFocus={() => setHighlighted(index)}
                  onBlur={() => setHighlighted(null)}
                >
                  <span
                    className="legend__swatch"
                    style={{ background: colors.get(a.class_name) ?? "#64748b" }}
                    aria-hidden="true"
                  />
                  <span className="annotation-list__body">
                    <span className="annotation-list__class">{a.class_name}</span>
                    <span className="annotation-list__geometry">{describeGeometry(a)}</span>
                    {Object.keys(a.attributes).length || a.occluded ? (
                      <span className="annotation-list__attributes">
                        {a.occluded ? <span className="tag">occluded</span> : null}
                        {Object.entries(a.attributes).map(([k, v]) => (
                          <span key={k} className="tag">
                            {k}: {String(v)}
                          </span>
                        ))}
                      </span>
                    ) : null}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </aside>
    </div>
  );
}
