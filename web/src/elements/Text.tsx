import { useMemo } from "react";

import { ElementWrapper } from "../layout/ElementWrapper";
import { interpolateControls } from "../runtime/formula";
import { useRuntime } from "../runtime/runtime";
import type { TextElement } from "../spec/types";
import { renderMarkdown } from "../ui/markdown";

export function TextView({ element }: { element: TextElement }) {
  const { state } = useRuntime();
  const html = useMemo(
    () => renderMarkdown(interpolateControls(element.content, state.controls)),
    [element.content, state.controls],
  );
  return (
    <ElementWrapper element={element}>
      {/* Sanitised by renderMarkdown: source HTML is escaped, then DOMPurify runs. */}
      <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
    </ElementWrapper>
  );
}
