"use client";
// The create-export form. It validates with the API's own schema (ExportCreateSchema), so it
// refuses exactly what the API refuses with the same words, and shows the API's message in
// place when the server still says no (a name taken meanwhile, a class just removed).
import type { Export, Format, StatusFilter } from "@pictograph/schema";
import { ExportCreateSchema, FORMATS, STATUS_FILTERS } from "@pictograph/schema";
import { useId, useRef, useState, type FormEvent } from "react";
import { api, describeFailure, type ApiFailure } from "./api-client";
import { useDataset } from "./dataset-frame";
import { Field } from "./field";
import { FORMAT_GUIDE } from "./format-guide";
import { formatCount, plural } from "./humanize";

type FieldName = "name" | "format" | "class_filter" | "status_filter" | "include_images" | "form";
type Errors = Partial<Record<FieldName, string>>;

const STATUS_LABELS: Record<StatusFilter, string> = {
  complete: "Complete",
  in_progress: "In progress",
  new: "New",
  all: "All statuses",
};

function fieldOf(path: PropertyKey | undefined): FieldName {
  return path === "name" ||
    path === "format" ||
    path === "class_filter" ||
    path === "status_filter" ||
    path === "include_images"
    ? path
    : "form";
}

/** The API's refusal, placed under the field it is about. */
function errorsFromFailure(failure: ApiFailure): Errors {
  if (failure.code === "conflict") return { name: failure.message };
  const details = failure.details as
    { issues?: { path: string; message: string }[]; unknown_classes?: string[] } | undefined;
  if (details?.unknown_classes) return { class_filter: failure.message };
  if (details?.issues?.length) {
    const errors: Errors = {};
    for (const issue of details.issues) errors[fieldOf(issue.path.split(".")[0])] ??= issue.message;
    return errors;
  }
  return { form: failure.message };
}

export function ExportForm({ onCreated }: { onCreated(created: Export): void }) {
  const { dataset, classes } = useDataset();
  const [name, setName] = useState("");
  const [format, setFormat] = useState<Format>("pictograph");
  const [includeImages, setIncludeImages] = useState(true);
  const [statusFilter, setStatusFilter] = useState<StatusFilter>("complete");
  const [allClasses, setAllClasses] = useState(true);
  const [picked, setPicked] = useState<string[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const nameInput = useRef<HTMLInputElement>(null);
  const formatGroup = useId();
  const classGroup = useId();

  const counts = dataset.image_counts;
  const selectedImages = statusFilter === "all" ? counts.total : counts[statusFilter];

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = {
      dataset: dataset.name,
      name: name.trim(),
      format,
      include_images: includeImages,
      // Keep the dataset's class order: it defines the exported class indices.
      class_filter: allClasses
        ? null
        : classes.map((c) => c.name).filter((n) => picked.includes(n)),
      status_filter: statusFilter,
    };
    const parsed = ExportCreateSchema.safeParse(input);
    if (!parsed.success) {
      const found: Errors = {};
      for (const issue of parsed.error.issues) found[fieldOf(issue.path[0])] ??= issue.message;
      setErrors(found);
      setAnnouncement("");
      if (found.name) nameInput.current?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await api.exports.create.mutate(parsed.data);
      onCreated(created);
      setAnnouncement(`Export “${created.name}” created; it is being built.`);
      setName("");
    } catch (error) {
      const found = errorsFromFailure(describeFailure(error));
      setErrors(found);
      setAnnouncement("");
      if (found.name) nameInput.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card form export-form"
      onSubmit={submit}
      noValidate
      aria-labelledby="export-form-title"
    >
      <div className="card__header">
        <h2 id="export-form-title" className="card__title">
          New export
        </h2>
        <p className="card__lead">
          Built in the background; it appears in the list below and updates as it builds.
        </p>
      </div>
      {errors.form ? (
        <p className="notice notice--error notice--inline" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="export-form__top">
        <Field
          label="Name"
          error={errors.name}
          hint="Unique in this dataset: letters, digits, '.', '_' or '-'."
        >
          {(control) => (
            <input
              {...control}
              ref={nameInput}
              className="input"
              name="name"
              placeholder="e.g. cars-v1"
              autoComplete="off"
              spellCheck={false}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Images with status"
          error={errors.status_filter}
          hint={`${plural(selectedImages, "image")} selected.`}
        >
          {(control) => (
            <select
              {...control}
              className="select"
              name="status_filter"
              value={statusFilter}
              onChange={(e) => setStatusFilter(e.target.value as StatusFilter)}
            >
              {STATUS_FILTERS.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]} ({formatCount(s === "all" ? counts.total : counts[s])})
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field">
          <span className="field__label" aria-hidden="true">
            Contents
          </span>
          <label className="checkbox checkbox--boxed">
            <input
              type="checkbox"
              name="include_images"
              checked={includeImages}
              onChange={(e) => setIncludeImages(e.target.checked)}
            />
            <span>Include image files</span>
          </label>
          <p className="field__hint">Off: annotations only, a much smaller ZIP.</p>
        </div>
      </div>

      <fieldset
        className="fieldset"
        aria-describedby={errors.format ? `${formatGroup}-error` : undefined}
      >
        <legend className="field__label">Format</legend>
        <div className="format-options">
          {FORMATS.map((f) => (
            <label key={f} className={`format-option${format === f ? " is-selected" : ""}`}>
              <input
                type="radio"
                name="format"
                value={f}
                checked={format === f}
                onChange={() => setFormat(f)}
              />
              <span className="format-option__text">
                <span className="format-option__label">{FORMAT_GUIDE[f].label}</span>
                <span className="format-option__line">{FORMAT_GUIDE[f].line}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.format ? (
          <p id={`${formatGroup}-error`} className="field__error">
            {errors.format}
          </p>
        ) : null}
      </fieldset>

      <fieldset
        className="fieldset"
        aria-describedby={errors.class_filter ? `${classGroup}-error` : `${classGroup}-hint`}
      >
        <legend className="field__label">Classes</legend>
        <div className="class-picker">
          <label className="checkbox checkbox--boxed">
            <input
              type="checkbox"
              name="all_classes"
              checked={allClasses}
              onChange={(e) => setAllClasses(e.target.checked)}
            />
            <span>All classes</span>
          </label>
          {classes.map((c) => (
            <label key={c.name} className={`chip${allClasses ? " is-disabled" : ""}`}>
              <input
                type="checkbox"
                name="class_filter"
                value={c.name}
                disabled={allClasses}
                checked={allClasses || picked.includes(c.name)}
                onChange={(e) =>
                  setPicked((p) =>
                    e.target.checked ? [...p, c.name] : p.filter((n) => n !== c.name),
                  )
                }
              />
              <span className="legend__swatch" style={{ background: c.color }} aria-hidden="true" />
              <span>{c.name}</span>
            </label>
          ))}
        </div>
        {errors.class_filter ? (
          <p id={`${classGroup}-error`} className="field__error">
            {errors.class_filter}
          </p>
        ) : (
          <p id={`${classGroup}-hint`} className="field__hint">
            Other classes&apos; annotations are left out; every selected image stays in, with or
            without annotations.
          </p>
        )}
      </fieldset>

      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? "Creating…" : "Create export"}
        </button>
        <p className="form__status" role="status">
          {announcement}
        </p>
      </div>
    </form>
  );
}
