// Inline messages: failures in the API's own words, and empty states that say what to do
// next. Never alert(): a message stays where the problem is.
import Link from "next/link";
import type { ReactNode } from "react";
import type { ApiFailure } from "./api-client";

export function FailureNotice({
  failure,
  title,
  onRetry,
}: {
  failure: ApiFailure;
  title?: string;
  onRetry?: () => void;
}) {
  const signedOut = failure.code === "unauthorized";
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">
        {title ?? (signedOut ? "Your session has ended" : "Something went wrong")}
      </p>
      <p className="notice__body">{failure.message}</p>
      {signedOut ? (
        <Link className="button button--secondary button--small" href="/sign-in">
          Sign in again
        </Link>
      ) : onRetry ? (
        <button type="button" className="button button--secondary button--small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <svg className="empty__icon" viewBox="0 0 48 48" aria-hidden="true">
        <rect
          x="6"
          y="10"
          width="36"
          height="28"
          rx="4"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        />
        <path
          d="M6 32l10-10 8 8 6-6 12 12"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinejoin="round"
        />
        <circle cx="32" cy="19" r="3" fill="currentColor" />
      </svg>
      <h2 className="empty__title">{title}</h2>
      {children ? <div className="empty__body">{children}</div> : null}
      {action ? <div className="empty__action">{action}</div> : null}
    </div>
  );
}

export function LoadingRows({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div className="skeleton-list" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}
