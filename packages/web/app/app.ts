/**
 * The page: the session (asked of the server on load; the login form when there is none, keeping
 * the URL so a deep link opens after logging in), the header, and the view the path names.
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, getSession, logout, type Session } from "./api.js";
import { SessionGraph } from "./graph.js";
import { GraphView } from "./graph-view.js";
import { html } from "./html.js";
import { LoginView } from "./login-view.js";
import { Link, navigate, onNavigate } from "./nav.js";
import { fromPath } from "./query.js";
import { ResultsView } from "./results-view.js";
import { SearchForm } from "./search-form.js";

const graph = SessionGraph.load();

export function App(): JSX.Element {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [fatal, setFatal] = useState("");
  const [notice, setNotice] = useState("");
  const [loc, setLoc] = useState(location.pathname + location.search);
  useEffect(() => onNavigate(() => setLoc(location.pathname + location.search)), []);
  useEffect(() => {
    getSession()
      .then(setSession)
      .catch((e: unknown) => setFatal(e instanceof ApiError ? e.message : String(e)));
  }, []);
  const url = new URL(loc, location.origin);
  const path = url.pathname;
  const query = useMemo(() => fromPath(path, url.search), [loc]);
  useEffect(() => {
    document.title = query ? `${query.value} — dnsrep` : "dnsrep";
  }, [query]);

  if (fatal) return html`<main class="login"><p role="alert" class="error">${fatal}</p><button type="button" onClick=${() => location.reload()}>Try again</button></main>` as JSX.Element;
  if (session === undefined) return html`<main class="login"><p class="muted">Loading…</p></main>` as JSX.Element;
  const authLost = (): void => {
    setSession(null);
    setNotice("Your session has expired: please log in again.");
  };
  if (session === null) {
    const onLogin = (s: Session): void => {
      setNotice("");
      setSession(s);
      if (path === "/login") navigate(url.searchParams.get("next")?.startsWith("/") ? (url.searchParams.get("next") as string) : "/", true);
    };
    return html`<${LoginView} onLogin=${onLogin} notice=${notice} />` as JSX.Element;
  }
  const doLogout = async (): Promise<void> => {
    try {
      await logout(session.csrf);
    } catch (e) {
      setFatal(e instanceof ApiError ? e.message : String(e));
      return;
    }
    graph.clear();
    setSession(null);
    navigate("/login", true);
  };
  const isGraph = path === "/graph";
  let main: unknown;
  if (isGraph) main = html`<${GraphView} graph=${graph} onAuthLost=${authLost} />`;
  else if (query) main = html`<${SearchForm} query=${query} /><${ResultsView} path=${loc} graph=${graph} onAuthLost=${authLost} />`;
  else if (path === "/" || path === "/login" || path === "/dashboard") main = html`<${SearchForm} query=${null} />`;
  else main = html`<${SearchForm} query=${null} /><p role="alert" class="error">Not a search this page knows: ${path}</p>`;
  return html`<header class="top">
      <${Link} href="/" class="brand">dnsrep<//>
      <nav aria-label="Main"><${Link} href="/">Search<//> <${Link} href="/graph">Graph<//></nav>
      <span class="user">Logged in as <strong>${session.user}</strong></span>
      <button type="button" class="logout" onClick=${doLogout}>Log out</button>
    </header>
    <main id="main" tabindex="-1">${main}</main>` as JSX.Element;
}
