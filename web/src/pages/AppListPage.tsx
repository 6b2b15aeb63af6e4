import { useEffect } from "react";

import { describeError, getJson } from "../api/client";
import { useResource } from "../api/useResource";
import { ElementState } from "../layout/ElementWrapper";
import { appUrl, handleLinkClick } from "../router";
import type { AppSummary } from "../spec/types";
import { Shell } from "./Shell";

function updated(at: string | null | undefined): string {
  return at ? at.replace("T", " ").slice(0, 16) : "";
}

export function AppListPage() {
  const apps = useResource("apps", (signal) => getJson<{ apps: AppSummary[]; total: number }>("/api/apps", { signal }));
  useEffect(() => {
    document.title = "Apps · Trilith";
  }, []);
  const list = apps.data?.apps ?? [];
  return (
    <Shell>
      <main id="main" className="page page-narrow" tabIndex={-1}>
        <div className="page-header">
          <h1>Apps</h1>
          <p className="muted">Data apps on this server. Each is an app spec applied to the warehouse.</p>
        </div>
        {apps.loading && !apps.data ? <ElementState status="loading" title="Loading apps…" /> : null}
        {apps.error ? (
          <ElementState
            status="error"
            title="Apps could not be loaded"
            message={describeError(apps.error)}
            onRetry={apps.reload}
          />
        ) : null}
        {apps.data && list.length === 0 ? (
          <ElementState
            status="empty"
            title="No apps yet"
            message="Create one with `trilith init NAME`, then `trilith apply NAME/app.yaml`."
          />
        ) : null}
        {list.length > 0 ? (
          <ul className="app-list">
            {list.map((app) => (
              <li key={app.id}>
                <a className="app-card" href={appUrl(app.id)} onClick={(e) => handleLinkClick(e, appUrl(app.id))}>
                  <span className="app-card-title">{app.title}</span>
                  <span className="app-card-meta">
                    <code>{app.id}</code>
                    <span>version {app.version}</span>
                    {app.updated_at ? (
                      <span>
                        updated {updated(app.updated_at)}
                        {app.updated_by ? ` by ${app.updated_by}` : ""}
                      </span>
                    ) : null}
                  </span>
                  <span className="app-card-arrow" aria-hidden="true">
                    →
                  </span>
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </main>
    </Shell>
  );
}
