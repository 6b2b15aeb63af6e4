import type { ReactNode } from "react";

import { handleLinkClick } from "../router";

export function Shell({ children, crumbs }: { children: ReactNode; crumbs?: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => handleLinkClick(e, "/")}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
            <rect x="3" y="7" width="4" height="11" rx="1" fill="currentColor" />
            <rect x="13" y="7" width="4" height="11" rx="1" fill="currentColor" />
            <rect x="1.5" y="2.5" width="17" height="4" rx="1" fill="currentColor" opacity="0.55" />
          </svg>
          <span>Trilith</span>
        </a>
        {crumbs ? <div className="crumbs">{crumbs}</div> : null}
      </header>
      {children}
    </div>
  );
}
