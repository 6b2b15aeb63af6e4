// A small history-API router: the UI has three screens, so a library is not worth it.

import { useSyncExternalStore } from "react";

export type Route =
  | { name: "apps" }
  | { name: "app"; appId: string; pageId: string | null }
  | { name: "embed"; appId: string; pageId: string | null }
  | { name: "not_found"; path: string };

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "apps" };
  const match = /^\/apps\/([^/]+)$/.exec(path);
  if (match?.[1]) {
    return { name: "app", appId: decodeURIComponent(match[1]), pageId: new URLSearchParams(search).get("page") };
  }
  const embed = /^\/embed\/([^/]+)$/.exec(path);
  if (embed?.[1]) {
    return { name: "embed", appId: decodeURIComponent(embed[1]), pageId: new URLSearchParams(search).get("page") };
  }
  return { name: "not_found", path };
}

export function useRoute(): Route {
  const location = useSyncExternalStore(subscribe, snapshot);
  const [pathname = "/", query = ""] = location.split("?");
  return parseRoute(pathname, query ? `?${query}` : "");
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (url === snapshot()) return;
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  notify();
}

export function appUrl(appId: string, pageId?: string | null): string {
  const base = `/apps/${encodeURIComponent(appId)}`;
  return pageId ? `${base}?page=${encodeURIComponent(pageId)}` : base;
}

/** For `<a onClick>`: follow in-app links without a reload, keep new-tab clicks. */
export function handleLinkClick(event: React.MouseEvent<HTMLAnchorElement>, url: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(url);
}
