// An app inside another site's iframe (`/embed/{id}?jwt=…`): no shell, the current page's
// grid and modals, and the bridge to the host page.

import "./embed.css";

import { useEffect, useState } from "react";

import { describeError, getJson } from "../api/client";
import { ModalHost } from "../elements/Modal";
import { ElementState } from "../layout/ElementWrapper";
import { Grid } from "../layout/Grid";
import { RuntimeProvider } from "../runtime/runtime";
import type { ResolvedApp } from "../spec/types";
import type { EmbedConfig } from "./config";
import { EmbedConnector } from "./EmbedConnector";
import { framingOrigin } from "./config";
import { originAllowed, parseOriginPatterns } from "./origins";

function reportError(config: EmbedConfig, code: string, message: string): void {
  const origin = framingOrigin();
  if (origin && originAllowed(origin, parseOriginPatterns(config.origins))) {
    window.parent.postMessage({ type: "workbook:error", code, message }, origin);
  }
}

export function EmbedPage({ config, pageId }: { config: EmbedConfig; pageId: string | null }) {
  const [resolved, setResolved] = useState<ResolvedApp | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    getJson<ResolvedApp>(`/api/apps/${encodeURIComponent(config.app_id)}`, { signal: controller.signal }).then(
      setResolved,
      (exc: unknown) => {
        if (controller.signal.aborted) return;
        const message = describeError(exc);
        setError(message);
        reportError(config, "app_not_loaded", message);
      },
    );
    return () => controller.abort();
  }, [config]);

  if (!resolved) {
    return (
      <main id="main" className="page page-narrow embed-page">
        {error ? (
          <ElementState status="error" title="The app could not be loaded" message={error} />
        ) : (
          <ElementState status="loading" title="Loading the app…" />
        )}
      </main>
    );
  }
  const app = resolved.app;
  const page = app.pages.find((p) => p.id === pageId) ?? app.pages[0];
  return (
    <RuntimeProvider app={app}>
      <div className={`app-frame embed-frame theme-${app.theme?.mode ?? "light"}`} data-app-id={app.id}>
        <main id="main" tabIndex={-1}>
          {page ? (
            <div className="app-page" data-page-id={page.id}>
              <Grid key={page.id} elements={page.elements} columns={24} gap={16} />
            </div>
          ) : null}
        </main>
        <ModalHost />
      </div>
      <EmbedConnector origins={config.origins} />
    </RuntimeProvider>
  );
}
