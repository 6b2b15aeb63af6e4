// An accessible modal dialog: role=dialog, aria-modal, labelled by its title; focus moves
// in on open, is trapped while open and returns to where it was on close; Escape closes;
// a click on the overlay closes unless `closeOnOverlay` is false.

import { useEffect, useId, useRef, type CSSProperties, type ReactNode } from "react";
import { createPortal } from "react-dom";

import { focusableWithin, isTopLayer, pushLayer, trapTab } from "./focus";

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  width?: number;
  showHeader?: boolean;
  showCloseIcon?: boolean;
  footer?: ReactNode;
  closeOnOverlay?: boolean;
  /** A short description read after the title. */
  description?: string;
  className?: string;
  /** Data attributes for tests and embedding, such as the modal's element id. */
  dataId?: string;
  role?: "dialog" | "alertdialog";
}

export function Dialog({
  title,
  onClose,
  children,
  width = 480,
  showHeader = true,
  showCloseIcon = true,
  footer,
  closeOnOverlay = true,
  description,
  className = "",
  dataId,
  role = "dialog",
}: DialogProps) {
  const layerRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const layer = layerRef.current;
    const panel = panelRef.current;
    if (!layer || !panel) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const popLayer = pushLayer(layer);
    const firstField = () => focusableWithin(panel).find((el) => !el.classList.contains("dialog-close"));
    (firstField() ?? panel).focus();
    // Content that loads after opening (a form fetching its table) still gets the first
    // focus, until the person moves focus themselves.
    let moved = false;
    const markMoved = () => {
      moved = true;
    };
    panel.addEventListener("keydown", markMoved);
    panel.addEventListener("pointerdown", markMoved);
    const observer = new MutationObserver(() => {
      const first = firstField();
      const active = document.activeElement;
      if (moved || !first || first === active) return;
      const before = active instanceof Node && first.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING;
      if (!active || active === panel || !panel.contains(active) || before) first.focus();
    });
    observer.observe(panel, { childList: true, subtree: true });
    const settle = window.setTimeout(() => observer.disconnect(), 3000);
    const onKeyDown = (event: KeyboardEvent) => {
      if (!isTopLayer(layer)) return;
      if (event.key === "Escape") {
        event.stopPropagation();
        onCloseRef.current();
      } else {
        trapTab(event, panel);
      }
    };
    document.addEventListener("keydown", onKeyDown, true);
    return () => {
      observer.disconnect();
      window.clearTimeout(settle);
      panel.removeEventListener("keydown", markMoved);
      panel.removeEventListener("pointerdown", markMoved);
      document.removeEventListener("keydown", onKeyDown, true);
      popLayer();
      // Give focus back to what opened the dialog, once the page is interactive again.
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  return createPortal(
    <div
      ref={layerRef}
      className="dialog-layer"
      onMouseDown={(event) => {
        if (closeOnOverlay && event.target === event.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={panelRef}
        className={`dialog ${className}`}
        role={role}
        aria-modal="true"
        aria-labelledby={showHeader ? titleId : undefined}
        aria-label={showHeader ? undefined : title}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        data-modal-id={dataId}
        style={{ "--dialog-width": `${width}px` } as CSSProperties}
      >
        {showHeader ? (
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            {showCloseIcon ? (
              <button type="button" className="icon-button dialog-close" aria-label="Close" onClick={onClose}>
                <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
                  <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
                </svg>
              </button>
            ) : null}
          </header>
        ) : null}
        {description ? (
          <p id={descriptionId} className="dialog-description">
            {description}
          </p>
        ) : null}
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-footer">{footer}</footer> : null}
      </div>
    </div>,
    document.body,
  );
}
