// A progress bar of fixed width with its percentage beside it in tabular digits: updates
// change the fill, never the layout.

export function ProgressBar({
  value,
  status,
  label,
}: {
  value: number;
  status: string;
  label: string;
}) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={`progress progress--${status}`}>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__value">{percent}%</span>
    </div>
  );
}
