// Hooks the app runtime calls without knowing whether it is embedded or hosts plugins:
// the embed bridge and plugin frames subscribe; with no subscriber each call is a no-op.

type Selection = Record<string, unknown>[];

export interface Signals {
  /** An element's rows or values were selected (table row, chart point). */
  select(elementId: string, selection: Selection): void;
  /** An `iframe_event` action's message for the host page. */
  outbound(message: unknown): void;
  /** A `trigger_plugin` effect: run the plugin's registered action effect. */
  pluginEffect(pluginId: string, event: string, payload: unknown): void;
}

const subscribers = new Set<Partial<Signals>>();

export function subscribe(subscriber: Partial<Signals>): () => void {
  subscribers.add(subscriber);
  return () => subscribers.delete(subscriber);
}

export const signals: Signals = {
  select: (elementId, selection) => subscribers.forEach((s) => s.select?.(elementId, selection)),
  outbound: (message) => subscribers.forEach((s) => s.outbound?.(message)),
  pluginEffect: (pluginId, event, payload) => subscribers.forEach((s) => s.pluginEffect?.(pluginId, event, payload)),
};
