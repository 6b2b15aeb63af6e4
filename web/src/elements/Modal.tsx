// Modals of the app, rendered while open (the open_modal / close_modal effects decide).

import { useEffect } from "react";

import { Grid } from "../layout/Grid";
import { WIDTH_PX } from "../layout/placement";
import { evaluate, displayValue } from "../runtime/formula";
import { useRuntime } from "../runtime/runtime";
import type { ModalElement } from "../spec/types";
import { Dialog } from "../ui/Dialog";

export function modalTitle(title: string, controls: Record<string, unknown>): string {
  const result = evaluate(title, (reference) => {
    const [head, id, ...rest] = reference.split("/");
    return head === "Control" && id && rest.length === 0 ? controls[id] : undefined;
  });
  return result.ok ? displayValue(result.value).trim() : "";
}

function ModalView({ element }: { element: ModalElement }) {
  const runtime = useRuntime();
  const title = modalTitle(element.title, runtime.state.controls) || "Dialog";
  const close = () => {
    runtime.apply([{ type: "close_modal", modal: element.id }]);
    runtime.run(element.id, "close");
  };
  useEffect(() => {
    runtime.run(element.id, "open");
    // Only when the modal opens.
  }, []);
  const primary = element.primary_button && !element.primary_button.hidden ? element.primary_button : null;
  const secondary = element.secondary_button && !element.secondary_button.hidden ? element.secondary_button : null;
  const footer =
    element.show_footer && (primary || secondary) ? (
      <>
        {secondary ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              if (!runtime.run(element.id, "secondary_click")) close();
            }}
          >
            {secondary.label}
          </button>
        ) : null}
        {primary ? (
          <button
            type="button"
            className="button button-primary"
            onClick={() => runtime.run(element.id, "primary_click")}
          >
            {primary.label}
          </button>
        ) : null}
      </>
    ) : null;
  return (
    <Dialog
      title={title}
      onClose={close}
      width={WIDTH_PX[element.width] ?? 480}
      showHeader={element.show_header}
      showCloseIcon={element.show_close_icon}
      closeOnOverlay={!element.prevent_close_on_overlay}
      footer={footer}
      dataId={element.id}
    >
      <Grid elements={element.children} columns={24} gap={16} />
    </Dialog>
  );
}

export function ModalHost() {
  const runtime = useRuntime();
  return (
    <>
      {runtime.state.modals.map((id) => {
        const modal = runtime.index.modals.get(id);
        return modal ? <ModalView key={id} element={modal} /> : null;
      })}
    </>
  );
}
