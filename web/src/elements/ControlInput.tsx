// Inputs for the ten control types. Native inputs wherever one fits, so keyboard use,
// labels and screen readers work as people expect.

import { useId } from "react";

import type { ControlSpec, ControlValue } from "../spec/types";

export interface ControlInputProps {
  control: ControlSpec;
  value: ControlValue;
  onChange: (value: ControlValue) => void;
  label?: string;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
  disabled?: boolean;
}

function pair(value: ControlValue): [ControlValue, ControlValue] {
  return Array.isArray(value) ? [value[0] ?? null, value[1] ?? null] : [null, null];
}

function asText(value: ControlValue): string {
  return value === null || value === undefined || Array.isArray(value) ? "" : String(value);
}

function asNumber(text: string): number | null {
  if (text.trim() === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function sliderBounds(control: ControlSpec): { min: number; max: number; step: number } {
  const numbers = (control.options ?? []).filter((o): o is number => typeof o === "number");
  const min = numbers[0] ?? 0;
  let max = numbers[1] ?? 100;
  const step = numbers[2] ?? (max - min > 1000 ? 100 : 1);
  if (typeof control.default === "number" && control.default > max) max = control.default * 2;
  return { min, max, step };
}

export function ControlInput({
  control,
  value,
  onChange,
  label,
  required,
  invalid,
  describedBy,
  disabled,
}: ControlInputProps) {
  const id = useId();
  const name = label ?? control.label ?? control.id;
  const common = {
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
    required,
    disabled,
  };
  const options = control.options ?? [];
  switch (control.type) {
    case "checkbox":
      return (
        <label className="check" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            {...common}
          />
          <span>{name}</span>
        </label>
      );
    case "switch":
      return (
        <div className="field field-inline">
          <button
            id={id}
            type="button"
            role="switch"
            className="switch"
            aria-checked={value === true}
            aria-label={name}
            onClick={() => onChange(value !== true)}
            aria-describedby={describedBy}
          >
            <span className="switch-thumb" aria-hidden="true" />
          </button>
          <label htmlFor={id} className="field-label">
            {name}
          </label>
        </div>
      );
    case "segmented":
      return (
        <div className="field segmented-field">
          <span id={`${id}-label`} className="field-label">
            {name}
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
            {options.map((option) => (
              <label key={String(option)} className="segment">
                <input
                  type="radio"
                  name={id}
                  value={String(option)}
                  checked={value === option}
                  onChange={() => onChange(option)}
                />
                <span>{String(option)}</span>
              </label>
            ))}
          </div>
        </div>
      );
    case "date_range":
    case "range": {
      const [from, to] = pair(value);
      const type = control.type === "date_range" ? "date" : "number";
      const parse = (text: string): ControlValue => (type === "date" ? text || null : asNumber(text));
      return (
        <div className="field range-field" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
          <span id={`${id}-label`} className="field-label">
            {name}
          </span>
          <div className="range-inputs">
            <input
              className="input"
              type={type}
              aria-label={`${name}: from`}
              value={asText(from)}
              onChange={(e) => onChange([parse(e.target.value), to])}
            />
            <span aria-hidden="true" className="range-dash">
              –
            </span>
            <input
              className="input"
              type={type}
              aria-label={`${name}: to`}
              value={asText(to)}
              onChange={(e) => onChange([from, parse(e.target.value)])}
            />
          </div>
        </div>
      );
    }
    case "slider": {
      const { min, max, step } = sliderBounds(control);
      const current = typeof value === "number" ? value : min;
      return (
        <div className="field">
          <label htmlFor={id} className="field-label field-label-row">
            <span>{name}</span>
            <output htmlFor={id}>{current.toLocaleString()}</output>
          </label>
          <input
            id={id}
            className="slider"
            type="range"
            min={min}
            max={max}
            step={step}
            value={current}
            onChange={(e) => onChange(Number(e.target.value))}
            {...common}
          />
        </div>
      );
    }
    case "list":
      if (control.multiple) {
        const picked = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
        const toggle = (option: string | number | boolean, on: boolean) => {
          const rest = picked.filter((v) => String(v) !== String(option));
          onChange(on ? [...rest, option] : rest);
        };
        return (
          <fieldset className="field multi-list" disabled={disabled} aria-describedby={describedBy}>
            <legend className="field-label">
              {name}
              {picked.length > 0 && <span className="multi-count"> · {picked.length} chosen</span>}
            </legend>
            <div className="multi-options">
              {options.map((option) => {
                const checked = picked.some((v) => String(v) === String(option));
                return (
                  <label key={String(option)} className={`multi-option${checked ? " is-checked" : ""}`}>
                    <input type="checkbox" checked={checked} onChange={(e) => toggle(option, e.target.checked)} />
                    <span>{String(option)}</span>
                  </label>
                );
              })}
            </div>
            {picked.length > 0 && (
              <button type="button" className="link-button" onClick={() => onChange([])}>
                Clear
              </button>
            )}
          </fieldset>
        );
      }
      return (
        <div className="field">
          <label htmlFor={id} className="field-label">
            {name}
          </label>
          <select
            id={id}
            className="input select"
            value={asText(value)}
            onChange={(e) => {
              const picked = options.find((o) => String(o) === e.target.value);
              onChange(picked ?? null);
            }}
            {...common}
          >
            <option value="">{required ? "Choose…" : "Any"}</option>
            {options.map((option) => (
              <option key={String(option)} value={String(option)}>
                {String(option)}
              </option>
            ))}
          </select>
        </div>
      );
    default: {
      const type = control.type === "number" ? "number" : control.type === "date" ? "date" : "text";
      return (
        <div className="field">
          <label htmlFor={id} className="field-label">
            {name}
          </label>
          <input
            id={id}
            className="input"
            type={type}
            value={asText(value)}
            onChange={(e) => onChange(type === "number" ? asNumber(e.target.value) : e.target.value || null)}
            {...common}
          />
        </div>
      );
    }
  }
}
