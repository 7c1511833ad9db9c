/** Client-side navigation: pushState + a re-render, and a link that works with keyboard and modifiers. */
import type { JSX } from "preact";
import { html } from "./html.js";

const listeners = new Set<() => void>();

export function onNavigate(f: () => void): () => void {
  listeners.add(f);
  window.addEventListener("popstate", f);
  return () => {
    listeners.delete(f);
    window.removeEventListener("popstate", f);
  };
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const f of listeners) f();
  window.scrollTo(0, 0);
  // keyboard and screen-reader users continue from the top of the new view, not from a link
  // that is gone
  requestAnimationFrame(() => document.getElementById("main")?.focus({ preventScroll: true }));
}

/** An in-page link: a real <a href> (open in a new tab works), handled here on a plain click. */
export function Link(props: { href: string; class?: string; title?: string; children?: unknown }): JSX.Element {
  const click = (e: MouseEvent): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return html`<a href=${props.href} class=${props.class} title=${props.title} onClick=${click}>${props.children}</a>` as JSX.Element;
}
