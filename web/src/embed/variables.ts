// Control values as Sigma variables: Sigma's embed events carry strings, so values are
// written as text (lists comma-separated, ranges as `from,to`) and read back by control type.

import type { ControlSpec, ControlValue } from "../spec/types";

export function toVariable(value: ControlValue): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => toVariable(v)).join(",");
  return String(value);
}

export function toVariables(controls: Record<string, ControlValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of Object.entries(controls)) out[id] = toVariable(value);
  return out;
}

function scalar(control: ControlSpec, text: string): ControlValue {
  if (text === "" || text === ":null") return null;
  const numeric = control.type === "number" || control.type === "slider" || control.type === "range";
  if (numeric) {
    const number = Number(text);
    return Number.isFinite(number) ? number : null;
  }
  return text;
}

/** A variable's value for a control: JSON values pass through, strings are parsed by type. */
export function fromVariable(control: ControlSpec, raw: unknown): ControlValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== "string") return raw as ControlValue;
  switch (control.type) {
    case "checkbox":
    case "switch":
      return raw === "true" || raw === "1";
    case "range":
    case "date_range": {
      const [from = "", to = ""] = raw.split(",");
      return [scalar(control, from.trim()), scalar(control, to.trim())];
    }
    case "list":
    case "segmented":
      if (control.multiple) return raw === "" ? [] : raw.split(",").map((v) => v.trim());
      return raw === "" ? null : raw;
    default:
      return scalar(control, raw);
  }
}
