// One app: its pages as navigation (`?page=`), the current page's grid, and its modals.

import { useEffect, type CSSProperties } from "react";

import { ApiError, describeError, getJson } from "../api/client";
import { useResource } from "../api/useResource";
import { ModalHost } from "../elements/Modal";
import { ElementState } from "../layout/ElementWrapper";
import { Grid } from "../layout/Grid";
import { appUrl, handleLinkClick } from "../router";
import { RuntimeProvider } from "../runtime/runtime";
import type { AppSpec, ResolvedApp } from "../spec/types";
import { Shell } from "./Shell";

function themeStyle(app: AppSpec): CSSProperties {
  const theme = app.theme;
  const style: Record<string, string> = {};
  if (theme?.primary_color) style["--primary"] = theme.primary_color;
  if (theme?.background_color) style["--page-bg"] = theme.background_color;
  if (theme?.font_family) style["--font-app"] = `"${theme.font_family.replace(/"/g, "")}", `;
  return style as CSSProperties;
}

/** Dialogs and menus render in document.body: give it the app's theme while it shows. */
function useBodyTheme(app: AppSpec): void {
  useEffect(() => {
    const style = themeStyle(app) as Record<string, string>;
    const root = document.body.style;
    for (const [name, value] of Object.entries(style)) root.setProperty(name, value);
    return () => {
      for (const name of Object.keys(style)) root.removeProperty(name);
    };
  }, [app]);
}

function AppHeader({ app, pageId }: { app: AppSpec; pageId: string }) {
  return (
    <div className="app-header">
      <div>
        <h1 className="app-title">{app.title}</h1>
        {app.description ? <p className="app-description">{app.description}</p> : null}
      </div>
      {app.pages.length > 1 ? (
        <nav className="page-nav" aria-label="Pages">
          <ul>
            {app.pages.map((p) => {
              const url = appUrl(app.id, p.id === app.pages[0]?.id ? null : p.id);
              return (
                <li key={p.id}>
                  <a
                    href={url}
                    aria-current={p.id === pageId ? "page" : undefined}
                    onClick={(e) => handleLinkClick(e, url)}
                  >
                    {p.title || p.id}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}

function AppContent({ app, pageId }: { app: AppSpec; pageId: string | null }) {
  const page = app.pages.find((p) => p.id === pageId) ?? app.pages[0];
  useBodyTheme(app);
  useEffect(() => {
    document.title = page && app.pages.length > 1 ? `${page.title || page.id} · ${app.title}` : app.title;
  }, [app, page]);
  if (!page) return null;
  return (
    <RuntimeProvider app={app}>
      <div className={`app-frame theme-${app.theme?.mode ?? "light"}`} style={themeStyle(app)} data-app-id={app.id}>
        <main id="main" tabIndex={-1}>
          <AppHeader app={app} pageId={page.id} />
          <div className="app-page" data-page-id={page.id}>
            {page.elements.length === 0 ? (
              <ElementState status="empty" title="This page is empty" message="Add elements to it in the app spec." />
            ) : (
              <Grid key={page.id} elements={page.elements} columns={24} gap={16} />
            )}
          </div>
        </main>
        <ModalHost />
      </div>
    </RuntimeProvider>
  );
}

export function AppPage({ appId, pageId }: { appId: string; pageId: string | null }) {
  const resolved = useResource(`app:${appId}`, (signal) =>
    getJson<ResolvedApp>(`/api/apps/${encodeURIComponent(appId)}`, { signal }),
  );
  const app = resolved.data?.app;
  const crumbs = (
    <a href="/" onClick={(e) => handleLinkClick(e, "/")}>
      Apps
    </a>
  );
  if (!app) {
    const missing = resolved.error instanceof ApiError && resolved.error.status === 404;
    return (
      <Shell crumbs={crumbs}>
        <main id="main" className="page page-narrow" tabIndex={-1}>
          {resolved.error ? (
            <ElementState
              status="error"
              title={missing ? `There is no app '${appId}'` : "The app could not be loaded"}
              message={missing ? "Check the address, or pick an app from the list." : describeError(resolved.error)}
              onRetry={missing ? undefined : resolved.reload}
            />
          ) : (
            <ElementState status="loading" title="Loading the app…" />
          )}
        </main>
      </Shell>
    );
  }
  return (
    <Shell crumbs={crumbs}>
      <AppContent key={`${app.id}:${resolved.data?.version}`} app={app} pageId={pageId} />
    </Shell>
  );
}
