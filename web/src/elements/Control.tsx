import { ElementWrapper } from "../layout/ElementWrapper";
import { useRuntime } from "../runtime/runtime";
import type { ControlElement } from "../spec/types";
import { ControlInput } from "./ControlInput";

export function ControlView({ element }: { element: ControlElement }) {
  const runtime = useRuntime();
  const control = runtime.index.controls.get(element.control);
  if (!control) {
    return <ElementWrapper element={element} status="error" title={`Unknown control '${element.control}'`} />;
  }
  return (
    <ElementWrapper element={element} className={`control-${control.type}`}>
      <ControlInput
        control={control}
        value={runtime.state.controls[control.id] ?? null}
        disabled={runtime.state.disabled.includes(control.id)}
        onChange={(value) => {
          runtime.setControl(control.id, value);
          runtime.run(element.id, "change");
        }}
      />
    </ElementWrapper>
  );
}
