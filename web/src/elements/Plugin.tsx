// A plugin is a page of its own in a sandboxed iframe: scripts run, but it gets no access
// to this page, its cookies or its storage. Its config arrives by postMessage.

import { useRef } from "react";

import { ElementWrapper } from "../layout/ElementWrapper";
import type { PluginElement } from "../spec/types";

export function PluginView({ element }: { element: PluginElement }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const sendConfig = () => {
    frame.current?.contentWindow?.postMessage(
      { type: "trilith:config", elementId: element.id, config: element.config },
      "*",
    );
  };
  return (
    <ElementWrapper element={element}>
      <iframe
        ref={frame}
        className="plugin-frame"
        src={element.url}
        title={`Plugin ${element.id}`}
        sandbox="allow-scripts allow-popups allow-forms"
        referrerPolicy="no-referrer"
        loading="lazy"
        onLoad={sendConfig}
      />
    </ElementWrapper>
  );
}
