// The Pictograph mark: a frame with a box drawn on it.

export function BrandMark({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" className="brand__mark">
      <rect x="1" y="1" width="22" height="22" rx="6" fill="currentColor" />
      <rect x="6" y="7" width="9" height="8" rx="1" fill="none" stroke="#fff" strokeWidth="1.8" />
      <circle cx="17" cy="16.5" r="2" fill="#fff" />
    </svg>
  );
}
