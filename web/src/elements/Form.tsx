// A form collects values (controls, or columns of its input table) and runs its submit
// sequence, where `[form_id/field]` reads what was entered.

import { useId, useState, type FormEvent } from "react";

import { inputTables, type ColumnDefinition } from "../api/inputTables";
import { describeError } from "../api/client";
import { useResource } from "../api/useResource";
import { ElementWrapper } from "../layout/ElementWrapper";
import { useRuntime } from "../runtime/runtime";
import type { ControlSpec, ControlValue, FormElement, FormField } from "../spec/types";
import { useNotices } from "../ui/notices";
import { ControlInput } from "./ControlInput";

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.every(isEmpty));
}

/** A column shown as the control type that edits it. */
export function controlForColumn(column: ColumnDefinition): ControlSpec {
  const options = column.validation?.options ?? null;
  switch (column.type) {
    case "number":
    case "integer":
      return { id: column.name, type: "number" };
    case "date":
      return { id: column.name, type: "date" };
    case "checkbox":
      return { id: column.name, type: "checkbox" };
    case "single_select":
      return options ? { id: column.name, type: "list", options } : { id: column.name, type: "text" };
    default:
      return { id: column.name, type: "text" };
  }
}

function fieldKey(field: FormField): string {
  return field.column ?? field.control ?? "";
}

export function FormView({ element }: { element: FormElement }) {
  const runtime = useRuntime();
  const { notify } = useNotices();
  const errorId = useId();
  const needsTable = Boolean(element.input_table) && element.fields.some((f) => f.column);
  const definition = useResource(`form-def:${element.input_table ?? ""}`, (signal) =>
    needsTable && element.input_table ? inputTables.definition(element.input_table, signal) : Promise.resolve(null),
  );
  const [values, setValues] = useState<Record<string, ControlValue>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});

  if (needsTable && definition.loading && !definition.data) {
    return <ElementWrapper element={element} status="loading" />;
  }
  if (needsTable && definition.error) {
    return (
      <ElementWrapper
        element={element}
        status="error"
        title="The form's input table could not be loaded"
        message={describeError(definition.error)}
        onRetry={definition.reload}
      />
    );
  }
  const busy = runtime.running.has(element.id);
  const columns = new Map((definition.data?.columns ?? []).map((c) => [c.name, c]));

  const valueOf = (field: FormField): ControlValue =>
    field.control ? (runtime.state.controls[field.control] ?? null) : (values[fieldKey(field)] ?? null);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found: Record<string, string> = {};
    for (const field of element.fields) {
      const required = field.required || (field.column ? columns.get(field.column)?.required : false);
      if (required && isEmpty(valueOf(field))) found[fieldKey(field)] = "A value is required.";
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    // The server reads the entered values as one selected row: field name → value.
    const row: Record<string, ControlValue> = {};
    for (const field of element.fields) row[fieldKey(field)] = valueOf(field);
    if (!runtime.run(element.id, "submit", [row])) {
      notify({
        tone: "info",
        title: "This form has no submit action",
        message: "Attach an action sequence with `submit`.",
      });
    }
  };

  return (
    <ElementWrapper element={element}>
      <form className="form" onSubmit={onSubmit} noValidate aria-describedby={errorId}>
        {element.fields.map((field) => {
          const key = fieldKey(field);
          const column = field.column ? columns.get(field.column) : undefined;
          const control = field.control
            ? runtime.index.controls.get(field.control)
            : column
              ? controlForColumn(column)
              : undefined;
          if (!control) return null;
          const problemId = `${errorId}-${key}`;
          const required = Boolean(field.required || column?.required);
          return (
            <div key={key} className="form-field">
              <ControlInput
                control={control}
                label={`${field.label ?? control.label ?? key}${required ? " *" : ""}`}
                value={valueOf(field)}
                required={required}
                invalid={Boolean(problems[key])}
                describedBy={problems[key] ? problemId : undefined}
                onChange={(value) => {
                  if (field.control) runtime.setControl(field.control, value);
                  else setValues((v) => ({ ...v, [key]: value }));
                  if (problems[key]) setProblems(({ [key]: _, ...rest }) => rest);
                }}
              />
              {problems[key] ? (
                <p id={problemId} className="field-error">
                  {problems[key]}
                </p>
              ) : null}
            </div>
          );
        })}
        <p id={errorId} className="visually-hidden">
          Fields marked * are required.
        </p>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            aria-disabled={busy || undefined}
            aria-busy={busy || undefined}
          >
            {busy ? <span className="spinner" aria-hidden="true" /> : null}
            {element.submit_label}
          </button>
        </div>
      </form>
    </ElementWrapper>
  );
}
