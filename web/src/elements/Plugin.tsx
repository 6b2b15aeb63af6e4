// A plugin is a page of its own in a sandboxed iframe that speaks the `wb:plugin:*`
// protocol of @sigmacomputing/plugin (see ../plugin/protocol.ts). Only messages from that
// frame (and, for a plugin on another origin, from that origin) are read; answers go to
// that frame only. A plugin on this server's own origin gets an opaque origin (no
// allow-same-origin), so it cannot reach this page, its cookies or its storage.

import { useEffect, useMemo, useRef } from "react";

import { controlsPayload, queryElement } from "../api/elements";
import { subscribe } from "../embed/signals";
import { ElementWrapper } from "../layout/ElementWrapper";
import { PluginSession, type PluginEnvironment } from "../plugin/protocol";
import { useRuntime, type Runtime } from "../runtime/runtime";
import type { PluginElement } from "../spec/types";

function frameUrl(url: string, elementId: string): { src: string; origin: string } {
  const target = new URL(url, window.location.href);
  // The plugin client reads its id and the host's origin from JSON query parameters.
  target.searchParams.set("id", JSON.stringify(elementId));
  target.searchParams.set("wbOrigin", JSON.stringify(window.location.origin));
  return { src: target.toString(), origin: target.origin };
}

export function PluginView({ element }: { element: PluginElement }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const runtime = useRuntime();
  const latest = useRef<Runtime>(runtime);
  latest.current = runtime;
  const { src, origin } = useMemo(() => frameUrl(element.url, element.id), [element.url, element.id]);
  const sameOrigin = origin === window.location.origin;
  const session = useRef<PluginSession | null>(null);

  useEffect(() => {
    const env: PluginEnvironment = {
      elementId: element.id,
      hostOrigin: window.location.origin,
      config: () => element.config,
      control: (id) => latest.current.index.controls.get(id),
      controlValue: (id) => latest.current.state.controls[id],
      setControl: (id, value) => latest.current.setControl(id, value),
      query: (elementId, limit) => {
        const r = latest.current;
        return queryElement(r.app.id, elementId, {
          controls: controlsPayload(r.state.controls, r.index.controls),
          limit,
        });
      },
      trigger: (configId) => {
        const r = latest.current;
        const named = element.config[configId];
        if (typeof named === "string" && r.runSequence(element.id, named)) return true;
        const sequences = (r.index.sequencesOf.get(element.id) ?? []).filter(
          (s) =>
            (s.trigger.type as string) === "plugin" &&
            [undefined, configId].includes((s.trigger as { config_id?: string }).config_id),
        );
        return sequences.map((s) => r.runSequence(element.id, s.id)).some(Boolean);
      },
      style: () => ({
        backgroundColor: getComputedStyle(frame.current ?? document.body).backgroundColor || "#ffffff",
      }),
    };
    const s = new PluginSession(env, (message) => {
      frame.current?.contentWindow?.postMessage(message, sameOrigin ? "*" : origin);
    });
    session.current = s;
    const onMessage = (event: MessageEvent) => {
      if (!frame.current || event.source !== frame.current.contentWindow) return;
      if (sameOrigin ? event.origin !== "null" && event.origin !== origin : event.origin !== origin) return;
      void s.handle(event.data);
    };
    window.addEventListener("message", onMessage);
    const unsubscribe = subscribe({
      pluginEffect: (pluginId, event) => {
        if (pluginId === element.id) s.invokeEffect(event);
      },
    });
    return () => {
      window.removeEventListener("message", onMessage);
      unsubscribe();
      session.current = null;
    };
  }, [element, origin, sameOrigin]);

  // Controls changed, or an action refreshed the page: variables and data again.
  const controls = runtime.state.controls;
  const refreshes = runtime.state.refreshes;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    session.current?.refresh();
  }, [controls, refreshes]);

  return (
    <ElementWrapper element={element}>
      <iframe
        ref={frame}
        className="plugin-frame"
        src={src}
        title={`Plugin ${element.id}`}
        sandbox={
          sameOrigin
            ? "allow-scripts allow-popups allow-forms"
            : "allow-scripts allow-popups allow-forms allow-same-origin"
        }
        referrerPolicy="no-referrer"
      />
    </ElementWrapper>
  );
}
