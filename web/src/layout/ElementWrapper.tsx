// The frame every element renders in: its id and type as data attributes, its spec style,
// and the loading, empty and error states, so they look the same everywhere.

import type { CSSProperties, ReactNode } from "react";

import type { AppElement } from "../spec/types";
import { styleFor } from "./placement";

export type ElementStatus = "ready" | "loading" | "empty" | "error";

export interface ElementWrapperProps {
  element: AppElement;
  status?: ElementStatus;
  /** Headline of the empty or error state. */
  title?: string;
  /** Explanation under the headline. */
  message?: string;
  onRetry?: () => void;
  /** Accessible name of the region, when the element has a visible title of its own. */
  label?: string;
  className?: string;
  style?: CSSProperties;
  children?: ReactNode;
}

export function ElementWrapper({
  element,
  status = "ready",
  title,
  message,
  onRetry,
  label,
  className = "",
  style,
  children,
}: ElementWrapperProps) {
  return (
    <div
      className={`element element-${element.type} is-${status} ${className}`}
      data-element-id={element.id}
      data-element-type={element.type}
      aria-busy={status === "loading" || undefined}
      aria-label={label}
      role={label ? "region" : undefined}
      style={{ ...styleFor(element.style), ...style }}
    >
      {status === "ready" ? (
        children
      ) : (
        <ElementState status={status} title={title} message={message} onRetry={onRetry} />
      )}
    </div>
  );
}

export function ElementState({
  status,
  title,
  message,
  onRetry,
}: {
  status: Exclude<ElementStatus, "ready">;
  title?: string;
  message?: string;
  onRetry?: () => void;
}) {
  if (status === "loading") {
    return (
      <div className="element-state state-loading">
        <div className="skeleton" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
        <span className="visually-hidden">{title ?? "Loading…"}</span>
      </div>
    );
  }
  return (
    <div className={`element-state state-${status}`} role={status === "error" ? "alert" : undefined}>
      <span className="state-icon" aria-hidden="true">
        {status === "error" ? "!" : "∅"}
      </span>
      <div className="state-text">
        <strong>{title ?? (status === "error" ? "Something went wrong" : "Nothing here yet")}</strong>
        {message ? <p>{message}</p> : null}
      </div>
      {onRetry ? (
        <button type="button" className="button button-outline button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
