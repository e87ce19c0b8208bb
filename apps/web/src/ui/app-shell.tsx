"use client";
// The signed-in frame: header with navigation, workspace switcher and account; sends
// signed-out visitors to the sign-in page and back here afterwards.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { describeFailure } from "./api-client";
import { BrandMark } from "./brand";
import { FailureNotice } from "./notice";
import { can, useSessionState, type Session } from "./session";

export function AppShell({ children }: { children: ReactNode }) {
  const { state, refresh } = useSessionState();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (state.status === "signed-out")
      router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [state.status, router, pathname]);

  if (state.status === "failed")
    return (
      <main className="page page--narrow">
        <FailureNotice
          failure={state.failure}
          title="Cannot reach Pictograph"
          onRetry={() => void refresh()}
        />
      </main>
    );
  if (state.status !== "signed-in")
    return (
      <div className="shell">
        <header className="topbar" />
        <main className="page" aria-busy="true" />
      </div>
    );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar session={state.session} />
      {/* The key remounts every page when the workspace changes, so nothing stale survives. */}
      <main id="main" className="page" key={state.session.workspace}>
        {children}
      </main>
    </div>
  );
}

function TopBar({ session }: { session: Session }) {
  const pathname = usePathname();
  const nav = [
    { href: "/datasets", label: "Datasets", show: true },
    { href: "/settings/api-keys", label: "API keys", show: can(session.role, "admin") },
  ];
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <Link href="/datasets" className="brand">
          <BrandMark />
          <span className="brand__name">Pictograph</span>
        </Link>
        <nav className="topnav" aria-label="Main">
          {nav
            .filter((item) => item.show)
            .map((item) => (
              <Link
                key={item.href}
                href={item.href}
                className="topnav__link"
                aria-current={pathname.startsWith(item.href) ? "page" : undefined}
              >
                {item.label}
              </Link>
            ))}
        </nav>
        <div className="topbar__end">
          <WorkspaceSwitcher session={session} />
          <Account session={session} />
        </div>
      </div>
    </header>
  );
}

function WorkspaceSwitcher({ session }: { session: Session }) {
  const { switchWorkspace } = useSessionState();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="workspace">
      <label htmlFor="workspace-switcher" className="workspace__label">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        className="select select--compact"
        value={session.workspace}
        disabled={busy}
        aria-describedby={error ? "workspace-error" : undefined}
        onChange={async (event) => {
          setBusy(true);
          setError(null);
          try {
            await switchWorkspace(event.target.value);
            router.push("/datasets");
          } catch (failure) {
            setError(describeFailure(failure).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {session.workspaces.map((w) => (
          <option key={w.name} value={w.name}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
      {error ? (
        <p id="workspace-error" className="field__error workspace__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Account({ session }: { session: Session }) {
  const { signOut } = useSessionState();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <div className="account">
      <span className="account__who">
        <span className="account__email">{session.email}</span>
        <span className={`role role--${session.role}`}>{session.role}</span>
      </span>
      <button
        type="button"
        className="button button--ghost button--small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await signOut();
          } finally {
            setBusy(false);
            router.replace("/sign-in");
          }
        }}
      >
        Sign out
      </button>
    </div>
  );
}
