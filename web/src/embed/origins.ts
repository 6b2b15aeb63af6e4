// Trusted origins with wildcards matched label by label, never as a regular expression:
// `https://*.example.com` matches `https://a.example.com` and `https://a.b.example.com`, not
// `https://example.com`, `https://evilexample.com` or `http://a.example.com`. Scheme and
// port must match exactly (no port: the scheme's default). Same rules as trilith.embed.origins.

export interface OriginPattern {
  scheme: string;
  host: string;
  port: number;
  wildcard: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

function split(origin: string): { scheme: string; host: string; port: number } | null {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    return null;
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined || !url.hostname) return null;
  if ((url.pathname && url.pathname !== "/") || url.search || url.hash || url.username || url.password) return null;
  return { scheme: url.protocol, host: url.hostname.toLowerCase(), port: url.port ? Number(url.port) : defaultPort };
}

export function parseOriginPattern(text: string): OriginPattern | null {
  const wildcard = text.includes("://*.");
  const probe = wildcard ? text.replace("://*.", "://") : text;
  if (probe.includes("*")) return null;
  const parts = split(probe);
  if (!parts || (wildcard && !parts.host.includes("."))) return null;
  return { ...parts, wildcard };
}

export function parseOriginPatterns(texts: readonly string[]): OriginPattern[] {
  return texts.map(parseOriginPattern).filter((p): p is OriginPattern => p !== null);
}

export function originMatches(origin: string, pattern: OriginPattern): boolean {
  const parts = split(origin);
  if (!parts || parts.scheme !== pattern.scheme || parts.port !== pattern.port) return false;
  if (pattern.wildcard) return parts.host.length > pattern.host.length + 1 && parts.host.endsWith(`.${pattern.host}`);
  return parts.host === pattern.host;
}

export function originAllowed(origin: string, patterns: readonly OriginPattern[]): boolean {
  return patterns.some((pattern) => originMatches(origin, pattern));
}
