// The embed session the server put in the page (`<meta name="trilith-embed">`): the app,
// the session token the API accepts, and the origins that may frame and message the app.

export interface EmbedConfig {
  app_id: string;
  session: string;
  origins: string[];
}

export function readEmbedConfig(doc: Document = document): EmbedConfig | null {
  const content = doc.querySelector('meta[name="trilith-embed"]')?.getAttribute("content");
  if (!content) return null;
  try {
    const parsed = JSON.parse(content) as Partial<EmbedConfig>;
    if (typeof parsed.app_id !== "string" || typeof parsed.session !== "string") return null;
    return {
      app_id: parsed.app_id,
      session: parsed.session,
      origins: Array.isArray(parsed.origins) ? parsed.origins : [],
    };
  } catch {
    return null;
  }
}

/** The framing page's origin, when the browser tells it (ancestorOrigins, else the referrer). */
export function framingOrigin(win: Window = window): string | null {
  if (win.parent === win) return null;
  const ancestors = win.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] ?? null;
  try {
    return win.document.referrer ? new URL(win.document.referrer).origin : null;
  } catch {
    return null;
  }
}
