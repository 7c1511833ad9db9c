/** The login form: user name and password with the autocomplete hints password managers use; Enter submits. */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, login, type Session } from "./api.js";
import { html } from "./html.js";

export function LoginView(props: { onLogin: (s: Session) => void; notice?: string }): JSX.Element {
  const [error, setError] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError("");
    try {
      props.onLogin(await login(String(data.get("username") ?? ""), String(data.get("password") ?? "")));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };
  return html`<main class="login">
    <form class="card" onSubmit=${submit} aria-labelledby="login-title">
      <h1 id="login-title">Log in to dnsrep</h1>
      ${props.notice ? html`<p class="notice">${props.notice}</p>` : null}
      <label>User name <input ref=${first} name="username" autocomplete="username" required /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      ${error ? html`<p role="alert" class="error" id="login-error">${error}</p>` : null}
      <button type="submit" disabled=${busy}>Log in</button>
    </form>
  </main>` as JSX.Element;
}
