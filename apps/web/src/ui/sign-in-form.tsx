"use client";
// Email and password sign-in. The API sets an HttpOnly session cookie; this page never
// sees the token. Wrong credentials are reported in the form, in the API's words.
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { api, describeFailure } from "./api-client";
import { BrandMark } from "./brand";
import { Field } from "./field";
import { useSessionState } from "./session";

/** Only same-site paths, so a crafted link cannot send someone elsewhere after sign-in. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/sign-in")
    ? next
    : "/datasets";
}

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const { state, signedIn } = useSessionState();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (state.status === "signed-in") router.replace(next);
  }, [state.status, router, next]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!email.trim()) found.email = "enter your email";
    if (!password) found.password = "enter your password";
    setErrors(found);
    if (found.email || found.password) return;
    setBusy(true);
    try {
      signedIn(await api.auth.signIn.mutate({ email: email.trim(), password }));
    } catch (error) {
      setErrors({ form: describeFailure(error).message });
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <div className="signin__card">
        <div className="signin__brand">
          <BrandMark size={32} />
          <span className="brand__name">Pictograph</span>
        </div>
        <h1 className="signin__title">Sign in</h1>
        <p className="signin__lead">Browse your datasets and export them for training.</p>
        <form onSubmit={submit} noValidate className="form">
          {errors.form ? (
            <p className="notice notice--error notice--inline" role="alert">
              {errors.form}
            </p>
          ) : null}
          <Field label="Email" error={errors.email}>
            {(control) => (
              <input
                {...control}
                className="input"
                type="email"
                name="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                autoFocus
              />
            )}
          </Field>
          <Field label="Password" error={errors.password}>
            {(control) => (
              <input
                {...control}
                className="input"
                type="password"
                name="password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        <p className="signin__help">
          First start? The admin account is <code>admin@pictograph.local</code>; its password is in
          the file <code>admin-password</code> in the server&apos;s data directory.
        </p>
      </div>
    </main>
  );
}
