// Control values are kept per user session: a reload (or coming back to the app in the
// same tab) shows the values the user last chose, while a new session starts from the
// published values. Kept in sessionStorage, per app, only for controls the app still has.

import type { ControlValue } from "../spec/types";

const PREFIX = "trilith.controls.";

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.sessionStorage : null;
  } catch {
    return null; // storage disabled (privacy settings, sandboxed frames)
  }
}

export function loadSessionControls(
  appId: string,
  published: Record<string, ControlValue>,
): Record<string, ControlValue> {
  const raw = storage()?.getItem(PREFIX + appId);
  if (!raw) return published;
  try {
    const saved = JSON.parse(raw) as unknown;
    if (!saved || typeof saved !== "object" || Array.isArray(saved)) return published;
    const merged = { ...published };
    for (const [id, value] of Object.entries(saved as Record<string, ControlValue>)) {
      if (id in published) merged[id] = value;
    }
    return merged;
  } catch {
    return published;
  }
}

export function saveSessionControls(appId: string, controls: Record<string, ControlValue>): void {
  try {
    storage()?.setItem(PREFIX + appId, JSON.stringify(controls));
  } catch {
    // full or disabled storage: the values simply are not kept
  }
}
