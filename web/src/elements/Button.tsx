import { useRef } from "react";

import { ElementWrapper } from "../layout/ElementWrapper";
import { useRuntime } from "../runtime/runtime";
import type { ButtonElement } from "../spec/types";
import { PopoverView } from "./Popover";

export function ButtonView({ element }: { element: ButtonElement }) {
  const runtime = useRuntime();
  const button = useRef<HTMLButtonElement>(null);
  const popovers = runtime.index.popoversByAnchor.get(element.id) ?? [];
  const open = popovers.find((p) => p.id === runtime.openPopover);
  const hasActions = (runtime.index.sequencesOf.get(element.id) ?? []).length > 0;
  const busy = runtime.running.has(element.id);
  const onClick = () => {
    // Not `disabled` while running: that would drop focus, which dialogs give back to it.
    if (busy) return;
    if (popovers.length > 0) runtime.setOpenPopover(open ? null : (popovers[0]?.id ?? null));
    runtime.run(element.id, "click");
  };
  return (
    <ElementWrapper element={element} className="element-button-frame">
      <button
        ref={button}
        type="button"
        className={`button button-${element.variant}`}
        onClick={onClick}
        aria-haspopup={popovers.length > 0 ? "dialog" : undefined}
        aria-expanded={popovers.length > 0 ? Boolean(open) : undefined}
        aria-controls={open ? `popover-${open.id}` : undefined}
        data-has-actions={hasActions || undefined}
        aria-disabled={busy || undefined}
        aria-busy={busy || undefined}
      >
        {busy ? <span className="spinner" aria-hidden="true" /> : null}
        {element.label}
      </button>
      {open ? (
        <PopoverView
          element={open}
          anchor={button}
          label={element.label}
          onClose={() => runtime.setOpenPopover(null)}
        />
      ) : null}
    </ElementWrapper>
  );
}
