import Link from "next/link";

export default function NotFound() {
  return (
    <main className="page page--narrow">
      <div className="empty">
        <h1 className="empty__title">Page not found</h1>
        <p className="empty__body">The address may be mistyped, or the page was moved.</p>
        <Link className="button button--primary" href="/datasets">
          Go to datasets
        </Link>
      </div>
    </main>
  );
}
