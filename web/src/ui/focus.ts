// Focus management for dialogs: what can take focus, trapping Tab inside, and a stack so
// only the top dialog reacts and everything under it is inert.

const FOCUSABLE = [
  "a[href]",
  "area[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type='hidden'])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "iframe",
  "[contenteditable='true']",
  "[tabindex]:not([tabindex='-1'])",
].join(",");

export function focusableWithin(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.hasAttribute("inert") && !el.closest("[inert]") && !el.closest("[hidden]") && el.tabIndex !== -1,
  );
}

/** Keep Tab and Shift+Tab inside `root`; returns true when it moved focus. */
export function trapTab(event: KeyboardEvent, root: HTMLElement): boolean {
  if (event.key !== "Tab") return false;
  const items = focusableWithin(root);
  if (items.length === 0) {
    event.preventDefault();
    root.focus();
    return true;
  }
  const first = items[0] as HTMLElement;
  const last = items[items.length - 1] as HTMLElement;
  const active = document.activeElement as HTMLElement | null;
  const inside = active !== null && root.contains(active);
  if (event.shiftKey && (active === first || !inside || active === root)) {
    event.preventDefault();
    last.focus();
    return true;
  }
  if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
    return true;
  }
  return false;
}

const stack: HTMLElement[] = [];

function background(except: HTMLElement): HTMLElement[] {
  const root = document.getElementById("root");
  const layers = stack.filter((layer) => layer !== except);
  return root ? [root, ...layers] : layers;
}

/** A dialog opened: it becomes the top layer and what is under it becomes inert. */
export function pushLayer(layer: HTMLElement): () => void {
  stack.push(layer);
  for (const el of background(layer)) el.setAttribute("inert", "");
  layer.removeAttribute("inert");
  return () => {
    const at = stack.indexOf(layer);
    if (at >= 0) stack.splice(at, 1);
    const top = stack[stack.length - 1];
    const root = document.getElementById("root");
    if (top) {
      for (const el of background(top)) el.setAttribute("inert", "");
      top.removeAttribute("inert");
    } else {
      root?.removeAttribute("inert");
    }
  };
}

export function isTopLayer(layer: HTMLElement): boolean {
  return stack[stack.length - 1] === layer;
}
