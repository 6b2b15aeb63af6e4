// Just enough of the formula language to run local effects in the browser: literals,
// references such as [Control/region] or [note_form/note], and `&` concatenation.
// Everything else is evaluated by the server (the formula compiler), so it is reported
// as not evaluable here rather than guessed.

export type Scope = (reference: string) => unknown;

export type Evaluation = { ok: true; value: unknown } | { ok: false; reason: string };

type Token =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ref"; value: string }
  | { kind: "amp" }
  | { kind: "bool"; value: boolean };

function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"') {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= source.length) return "an unterminated text literal";
        if (source[i] === '"') {
          if (source[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += source[i];
        i += 1;
      }
      tokens.push({ kind: "string", value });
    } else if (ch === "[") {
      const end = source.indexOf("]", i);
      if (end < 0) return "an unclosed [reference]";
      tokens.push({ kind: "ref", value: source.slice(i + 1, end) });
      i = end + 1;
    } else if (ch === "&") {
      tokens.push({ kind: "amp" });
      i += 1;
    } else if (/[0-9.-]/.test(ch)) {
      const match = /^-?[0-9]*\.?[0-9]+/.exec(source.slice(i));
      if (!match) return `an unexpected '${ch}'`;
      tokens.push({ kind: "number", value: Number(match[0]) });
      i += match[0].length;
    } else {
      const word = /^[A-Za-z_]+/.exec(source.slice(i));
      if (word && /^(true|false)$/i.test(word[0])) {
        tokens.push({ kind: "bool", value: word[0].toLowerCase() === "true" });
        i += word[0].length;
      } else {
        return word ? `the function or name '${word[0]}'` : `the operator '${ch}'`;
      }
    }
  }
  return tokens;
}

function display(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(display).join(", ");
  return String(value);
}

/** Evaluate a spec value: text not starting with `=` is itself. */
export function evaluate(value: unknown, scope: Scope): Evaluation {
  if (typeof value !== "string" || !value.startsWith("=")) return { ok: true, value };
  const tokens = tokenize(value.slice(1));
  if (typeof tokens === "string") {
    return { ok: false, reason: `${tokens} is evaluated by the server` };
  }
  if (tokens.length === 0) return { ok: false, reason: "an empty formula" };
  const parts: unknown[] = [];
  let expectOperand = true;
  for (const token of tokens) {
    if (expectOperand) {
      if (token.kind === "amp") return { ok: false, reason: "a formula with a misplaced '&'" };
      if (token.kind === "ref") {
        const resolved = scope(token.value);
        if (resolved === undefined) return { ok: false, reason: `the reference [${token.value}] is not known here` };
        parts.push(resolved);
      } else {
        parts.push(token.value);
      }
      expectOperand = false;
    } else {
      if (token.kind !== "amp") return { ok: false, reason: "an operator other than '&', which the server evaluates" };
      expectOperand = true;
    }
  }
  if (expectOperand) return { ok: false, reason: "a formula ending in '&'" };
  return { ok: true, value: parts.length === 1 ? parts[0] : parts.map(display).join("") };
}

/** Escape text so that markdown shows it literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (ch) => `\\${ch}`);
}

const CONTROL_REFERENCE = /\[Control\/([A-Za-z_][A-Za-z0-9_-]*)\](?!\()/g;

/** Text content with `[Control/id]` replaced by the control's current value. */
export function interpolateControls(text: string, controls: Record<string, unknown>): string {
  return text.replace(CONTROL_REFERENCE, (whole, id: string) =>
    id in controls ? escapeMarkdown(display(controls[id])) : whole,
  );
}

export { display as displayValue };
