// Status pills for exports, imports and images. Fixed minimum width, so a row does not move
// when its status changes.

const LABELS: Record<string, string> = {
  pending: "Queued",
  processing: "Building",
  completed: "Ready",
  failed: "Failed",
  new: "New",
  in_progress: "In progress",
  complete: "Complete",
};

export function StatusPill({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`pill pill--${status}`} data-status={status}>
      <span className="pill__dot" aria-hidden="true" />
      {label ?? LABELS[status] ?? status}
    </span>
  );
}

export function imageStatusLabel(status: string): string {
  return LABELS[status] ?? status;
}
