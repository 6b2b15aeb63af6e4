// Custom grid cells: dates (native date inputs) and choices (single_select as a list,
// multi_select as pills), with keyboard-friendly editors.

import {
  GridCellKind,
  getMiddleCenterBias,
  measureTextCached,
  roundedRect,
  type CustomRenderer,
  type ProvideEditorComponent,
} from "@glideapps/glide-data-grid";
import { useId, useMemo, useState, type KeyboardEvent } from "react";

import type { ChoiceCell, DateCell } from "./columns";

// ---- dates ----------------------------------------------------------------------------

/** `2026-01-01T10:00:00.123` → the value an `<input type="datetime-local">` takes. */
export function toInputValue(type: "date" | "datetime", value: string | null): string {
  if (!value) return "";
  if (type === "date") return value.slice(0, 10);
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2})?)/.exec(value);
  return match ? `${match[1]}T${match[2]}` : "";
}

const DateEditor: ProvideEditorComponent<DateCell> = ({ value, onChange }) => {
  const { data } = value;
  return (
    <input
      className="cell-editor-input"
      autoFocus
      type={data.type === "date" ? "date" : "datetime-local"}
      step={data.type === "datetime" ? 1 : undefined}
      aria-label={data.type === "date" ? "Date" : "Date and time (UTC)"}
      defaultValue={toInputValue(data.type, data.value)}
      onChange={(event) => {
        const text = event.target.value;
        onChange({ ...value, data: { ...data, value: text || null, display: text.replace("T", " ") } });
      }}
    />
  );
};

export const dateCellRenderer: CustomRenderer<DateCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is DateCell => (cell.data as { kind?: string }).kind === "date-cell",
  draw: (args, cell) => {
    const { ctx, theme, rect } = args;
    ctx.fillStyle = theme.textDark;
    ctx.fillText(
      cell.data.display,
      rect.x + theme.cellHorizontalPadding,
      rect.y + rect.height / 2 + getMiddleCenterBias(ctx, theme),
    );
    return true;
  },
  measure: (ctx, cell, theme) => ctx.measureText(cell.data.display).width + theme.cellHorizontalPadding * 2,
  provideEditor: () => ({ editor: DateEditor, disablePadding: true }),
  onPaste: (text, data) => {
    const trimmed = text.trim();
    return { ...data, value: trimmed || null, display: trimmed };
  },
};

// ---- choices --------------------------------------------------------------------------

export function filterOptions(options: string[], query: string): string[] {
  const q = query.trim().toLowerCase();
  return q ? options.filter((o) => o.toLowerCase().includes(q)) : options;
}

export function toggleChoice(values: string[], option: string, options: string[]): string[] {
  const next = values.includes(option) ? values.filter((v) => v !== option) : [...values, option];
  // Keep the options' order, so the same choices always look the same.
  return next.sort((a, b) => options.indexOf(a) - options.indexOf(b));
}

const ChoiceEditor: ProvideEditorComponent<ChoiceCell> = ({ value, onChange, onFinishedEditing }) => {
  const { data } = value;
  const id = useId();
  const [query, setQuery] = useState("");
  const [values, setValues] = useState(data.values);
  const free = data.options.length === 0;
  const shown = useMemo(() => filterOptions(data.options, query), [data.options, query]);
  const [active, setActive] = useState(() => Math.max(0, shown.indexOf(data.values[0] ?? "")));
  const cellWith = (next: string[]): ChoiceCell => ({ ...value, data: { ...data, values: next } });

  const pick = (option: string) => {
    if (data.multiple) {
      const next = toggleChoice(values, option, data.options);
      setValues(next);
      onChange(cellWith(next));
    } else {
      onFinishedEditing(cellWith([option]), [0, 1]);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (shown.length === 0 ? 0 : (a + step + shown.length) % shown.length));
    } else if (event.key === "Enter" && !(event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      event.stopPropagation();
      if (free) {
        const typed = query.trim();
        const next = data.multiple ? [...values, ...(typed ? [typed] : [])] : typed ? [typed] : [];
        onFinishedEditing(cellWith(next), [0, 1]);
      } else if (shown[active] !== undefined) {
        pick(shown[active] as string);
      }
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation();
      onFinishedEditing(cellWith(values), [0, 1]);
    }
  };

  const optionId = (i: number) => `${id}-option-${i}`;
  return (
    <div className="choice-editor">
      <input
        className="choice-filter"
        autoFocus
        value={query}
        placeholder={free ? "Type a value" : "Filter options"}
        role="combobox"
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-activedescendant={shown[active] !== undefined ? optionId(active) : undefined}
        aria-label={data.multiple ? "Choose values" : "Choose a value"}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {free ? null : (
        <ul id={`${id}-list`} className="choice-list" role="listbox" aria-multiselectable={data.multiple || undefined}>
          {!data.multiple ? (
            <li
              role="option"
              aria-selected={values.length === 0}
              className="choice-option choice-clear"
              onMouseDown={(event) => {
                event.preventDefault();
                onFinishedEditing(cellWith([]), [0, 0]);
              }}
            >
              Clear
            </li>
          ) : null}
          {shown.map((option, i) => (
            <li
              key={option}
              id={optionId(i)}
              role="option"
              aria-selected={values.includes(option)}
              className={`choice-option${i === active ? " is-active" : ""}`}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(option);
              }}
            >
              <span className="choice-check" aria-hidden="true">
                {values.includes(option) ? "✓" : ""}
              </span>
              {option}
            </li>
          ))}
          {shown.length === 0 ? <li className="choice-empty">No matching options</li> : null}
        </ul>
      )}
      {data.multiple && !free ? (
        <div className="choice-actions">
          <span className="choice-hint">Enter toggles · Tab saves</span>
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => onFinishedEditing(cellWith(values), [0, 0])}
          >
            Done
          </button>
        </div>
      ) : null}
    </div>
  );
};

const PILL_HEIGHT = 20;
const PILL_PAD = 8;

export const choiceCellRenderer: CustomRenderer<ChoiceCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is ChoiceCell => (cell.data as { kind?: string }).kind === "choice-cell",
  draw: (args, cell) => {
    const { ctx, theme, rect, highlighted } = args;
    const { values, multiple } = cell.data;
    const middle = rect.y + rect.height / 2 + getMiddleCenterBias(ctx, theme);
    let x = rect.x + theme.cellHorizontalPadding;
    if (!multiple) {
      ctx.fillStyle = theme.textDark;
      if (values[0] !== undefined) ctx.fillText(values[0], x, middle);
      if (!cell.readonly) {
        ctx.fillStyle = theme.textLight;
        ctx.fillText("▾", rect.x + rect.width - theme.cellHorizontalPadding - 8, middle);
      }
      return true;
    }
    const boxes: { x: number; width: number; text: string }[] = [];
    for (const text of values) {
      if (x > rect.x + rect.width) break;
      const width = measureTextCached(text, ctx, theme.baseFontFull).width;
      boxes.push({ x, width, text });
      x += width + PILL_PAD * 2 + 4;
    }
    ctx.beginPath();
    for (const box of boxes) {
      roundedRect(
        ctx,
        box.x,
        rect.y + (rect.height - PILL_HEIGHT) / 2,
        box.width + PILL_PAD * 2,
        PILL_HEIGHT,
        PILL_HEIGHT / 2,
      );
    }
    ctx.fillStyle = highlighted ? theme.bgBubbleSelected : theme.bgBubble;
    ctx.fill();
    ctx.fillStyle = theme.textBubble;
    for (const box of boxes) ctx.fillText(box.text, box.x + PILL_PAD, middle);
    return true;
  },
  measure: (ctx, cell, theme) =>
    cell.data.values.reduce(
      (sum, v) => sum + ctx.measureText(v).width + PILL_PAD * 2 + 4,
      theme.cellHorizontalPadding * 2,
    ),
  provideEditor: () => ({ editor: ChoiceEditor, disablePadding: true, disableStyling: false }),
  onPaste: (text, data) => {
    const parts = data.multiple
      ? text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [text.trim()].filter(Boolean);
    return { ...data, values: parts };
  },
};

export const CUSTOM_RENDERERS = [dateCellRenderer, choiceCellRenderer];
