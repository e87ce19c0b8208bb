// Image counts by review status as one stacked bar with a legend: how far a dataset is.
import { formatCount } from "./humanize";

type Counts = { total: number; new: number; in_progress: number; complete: number };

const PARTS = [
  { key: "complete", label: "Complete" },
  { key: "in_progress", label: "In progress" },
  { key: "new", label: "New" },
] as const;

export function StatusBar({ counts }: { counts: Counts }) {
  const total = Math.max(1, counts.total);
  return (
    <div className="statusbar">
      <div className="statusbar__track" aria-hidden="true">
        {PARTS.map((part) =>
          counts[part.key] > 0 ? (
            <span
              key={part.key}
              className={`statusbar__part statusbar__part--${part.key}`}
              style={{ width: `${(100 * counts[part.key]) / total}%` }}
            />
          ) : null,
        )}
      </div>
      <ul className="statusbar__legend">
        {PARTS.map((part) => (
          <li key={part.key} className="statusbar__item">
            <span className={`swatch swatch--${part.key}`} aria-hidden="true" />
            <span className="statusbar__label">{part.label}</span>
            <span className="statusbar__count">{formatCount(counts[part.key])}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
