// A tabbed container (WAI-ARIA tabs pattern): role=tablist/tab/tabpanel, one tab in the
// Tab order (roving tabindex), arrow keys, Home and End move between tabs and select them.
// Panels mount when first shown and stay mounted, so their state survives switching.

import { useId, useRef, useState, type KeyboardEvent } from "react";

import { ElementWrapper } from "../layout/ElementWrapper";
import { Grid } from "../layout/Grid";
import { useRuntime } from "../runtime/runtime";
import type { Tab, TabsElement } from "../spec/types";

export function initialTab(element: TabsElement): string | undefined {
  const enabled = element.tabs.filter((t) => !t.disabled);
  const wanted = element.tabs.find((t) => t.id === element.default_tab && !t.disabled);
  return (wanted ?? enabled[0] ?? element.tabs[0])?.id;
}

/** The tab an arrow, Home or End key moves to, skipping disabled tabs; null for other keys. */
export function nextTab(tabs: Tab[], current: string, key: string): string | null {
  const enabled = tabs.filter((t) => !t.disabled);
  if (enabled.length === 0) return null;
  const at = enabled.findIndex((t) => t.id === current);
  switch (key) {
    case "ArrowRight":
      return (enabled[(at + 1) % enabled.length] as Tab).id;
    case "ArrowLeft":
      return (enabled[(at - 1 + enabled.length) % enabled.length] as Tab).id;
    case "Home":
      return (enabled[0] as Tab).id;
    case "End":
      return (enabled[enabled.length - 1] as Tab).id;
    default:
      return null;
  }
}

export function TabsView({ element }: { element: TabsElement }) {
  const runtime = useRuntime();
  const base = useId();
  const selected = runtime.state.tabs[element.id] ?? initialTab(element);
  const [visited, setVisited] = useState<Set<string>>(() => new Set(selected ? [selected] : []));
  const refs = useRef(new Map<string, HTMLButtonElement>());
  if (selected && !visited.has(selected)) setVisited(new Set([...visited, selected]));

  const select = (tabId: string, focus: boolean) => {
    if (tabId !== selected) {
      runtime.apply([{ type: "select_tab", tabs: element.id, tab: tabId }]);
      runtime.run(element.id, "tab_change");
    }
    if (focus) refs.current.get(tabId)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!selected) return;
    const target = nextTab(element.tabs, selected, event.key);
    if (target) {
      event.preventDefault();
      select(target, true);
    }
  };

  const tabId = (tab: Tab) => `${base}-tab-${tab.id}`;
  const panelId = (tab: Tab) => `${base}-panel-${tab.id}`;

  return (
    <ElementWrapper element={element} className={`tabs-style-${element.tab_style} tabs-size-${element.size}`}>
      {element.show_tab_bar ? (
        <div
          className={`tab-bar align-${element.alignment}`}
          role="tablist"
          aria-orientation="horizontal"
          onKeyDown={onKeyDown}
        >
          {element.tabs.map((tab) => {
            const isSelected = tab.id === selected;
            return (
              <button
                key={tab.id}
                ref={(node) => {
                  if (node) refs.current.set(tab.id, node);
                  else refs.current.delete(tab.id);
                }}
                type="button"
                role="tab"
                id={tabId(tab)}
                className="tab"
                aria-selected={isSelected}
                aria-controls={panelId(tab)}
                aria-disabled={tab.disabled || undefined}
                tabIndex={isSelected ? 0 : -1}
                data-tab-id={tab.id}
                onClick={() => !tab.disabled && select(tab.id, false)}
              >
                {tab.label}
              </button>
            );
          })}
        </div>
      ) : null}
      {element.tabs.map((tab) =>
        visited.has(tab.id) ? (
          <div
            key={tab.id}
            id={panelId(tab)}
            className="tab-panel"
            role={element.show_tab_bar ? "tabpanel" : "group"}
            aria-labelledby={element.show_tab_bar ? tabId(tab) : undefined}
            aria-label={element.show_tab_bar ? undefined : tab.label}
            tabIndex={element.show_tab_bar ? 0 : undefined}
            hidden={tab.id !== selected}
            data-tab-id={tab.id}
          >
            <Grid elements={tab.children} columns={24} gap={16} />
          </div>
        ) : null,
      )}
    </ElementWrapper>
  );
}
