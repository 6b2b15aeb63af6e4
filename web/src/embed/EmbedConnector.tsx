// Connects the embed bridge to an app's runtime: control changes, data loads, page height
// and selections go out as Sigma events; the host's variable updates set controls.

import { useEffect, useRef } from "react";

import { useRuntime, type Runtime } from "../runtime/runtime";
import type { ControlValue } from "../spec/types";
import { EmbedBridge } from "./bridge";
import { framingOrigin } from "./config";
import { subscribe } from "./signals";
import { fromVariable, toVariables } from "./variables";

const VERSION = "1.0.0";

declare global {
  interface Window {
    __trilithEmbed?: EmbedBridge;
  }
}

function cells(row: Record<string, unknown>) {
  return Object.entries(row).map(([columnName, value]) => ({ value, cellType: "valueCell", columnName }));
}

function toggleFullscreen(nodeId: string | null): boolean {
  for (const node of document.querySelectorAll(".embed-fullscreen")) node.classList.remove("embed-fullscreen");
  if (!nodeId) return false;
  const node = document.querySelector(`[data-element-id="${CSS.escape(nodeId)}"]`);
  node?.classList.add("embed-fullscreen");
  return node !== null;
}

export function EmbedConnector({ origins }: { origins: string[] }) {
  const runtime = useRuntime();
  const latest = useRef<Runtime>(runtime);
  latest.current = runtime;
  const bridge = useRef<EmbedBridge | null>(null);
  const fromHost = useRef(new Set<string>());
  const previous = useRef<Record<string, ControlValue> | null>(null);

  useEffect(() => {
    const b = new EmbedBridge(
      origins,
      window.parent,
      window,
      {
        variables: () => toVariables(latest.current.state.controls),
        setVariables: (values) => {
          const unknown: string[] = [];
          for (const [id, raw] of Object.entries(values)) {
            const control = latest.current.index.controls.get(id);
            if (!control) {
              unknown.push(id);
              continue;
            }
            fromHost.current.add(id);
            latest.current.setControl(id, fromVariable(control, raw));
          }
          return unknown;
        },
        fullscreen: toggleFullscreen,
        refresh: (elementId) => {
          const ids = elementId ? [elementId] : [...latest.current.index.elements.keys()];
          latest.current.apply(ids.map((element) => ({ type: "refresh_element", element })));
        },
        trigger: (elementId, trigger) => latest.current.run(elementId, trigger as never),
      },
      { parentOrigin: framingOrigin() },
    );
    bridge.current = b;
    window.__trilithEmbed = b;
    b.start();
    b.ready(VERSION);
    b.sendSigma("workbook:loaded", { workbook: { variables: toVariables(latest.current.state.controls) } });

    const unsubscribe = subscribe({
      select: (elementId, selection) => {
        const element = latest.current.index.elements.get(elementId);
        const title =
          (element && "title" in element && typeof element.title === "string" ? element.title : "") || elementId;
        if (element?.type === "chart") {
          b.sendSigma("workbook:chart:onvalueselect", { nodeId: elementId, title, values: selection });
        } else {
          b.sendSigma("workbook:table:oncellselect", { nodeId: elementId, title, cells: selection.flatMap(cells) });
        }
      },
      outbound: (message) => {
        const m = message && typeof message === "object" ? (message as Record<string, unknown>) : {};
        b.sendSigma("action:outbound", { name: m.name, values: m.values ?? {} });
        b.sendApp("action:trigger", { actionId: m.name, context: { ...(m.values as object), source: "embedded-app" } });
      },
    });

    // Data loaded: once no element is busy after the first render.
    let loaded = false;
    const checkLoaded = () => {
      if (loaded || document.querySelector("[data-element-id][aria-busy]")) return;
      if (!document.querySelector("[data-element-id]")) return;
      loaded = true;
      b.sendSigma("workbook:dataloaded");
    };
    const observer = new MutationObserver(() => window.setTimeout(checkLoaded, 50));
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["aria-busy"],
    });
    window.setTimeout(checkLoaded, 200);

    let height = 0;
    const sizes = new ResizeObserver(() => {
      const next = Math.ceil(document.documentElement.scrollHeight);
      if (next !== height) {
        height = next;
        b.sendSigma("workbook:pageheight:onchange", { pageHeight: next });
      }
    });
    sizes.observe(document.body);

    return () => {
      unsubscribe();
      observer.disconnect();
      sizes.disconnect();
      b.stop();
      bridge.current = null;
    };
  }, [origins]);

  // Control changes: one Sigma event; a `control:update` for those the host did not set.
  const controls = runtime.state.controls;
  useEffect(() => {
    const before = previous.current;
    previous.current = controls;
    const b = bridge.current;
    if (!before || !b) return;
    const changed = Object.keys(controls).filter((id) => controls[id] !== before[id]);
    if (changed.length === 0) return;
    b.sendSigma("workbook:variables:onchange", { workbook: { variables: toVariables(controls) } });
    for (const id of changed) {
      if (fromHost.current.delete(id)) continue;
      b.updateHostControl(id, controls[id]).catch(() => undefined); // counted in stats.timeouts
    }
  }, [controls]);

  // Refreshes an action asked for, reported to the host.
  const refreshes = runtime.state.refreshes;
  const seen = useRef<Record<string, number>>({});
  useEffect(() => {
    const b = bridge.current;
    for (const [elementId, count] of Object.entries(refreshes)) {
      if (seen.current[elementId] !== count)
        b?.sendApp("element:refresh", { elementId, timestamp: new Date().toISOString() });
    }
    seen.current = { ...refreshes };
  }, [refreshes]);

  return null;
}
