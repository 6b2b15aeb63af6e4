import { useState } from "react";

import { ElementWrapper } from "../layout/ElementWrapper";
import type { ImageElement } from "../spec/types";

export function ImageView({ element }: { element: ImageElement }) {
  const [failed, setFailed] = useState(false);
  if (failed) {
    return (
      <ElementWrapper element={element} className="image-missing">
        <div className="image-fallback" role="img" aria-label={element.alt || "Image that could not be loaded"}>
          <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
            <rect x="2.5" y="3.5" width="15" height="13" rx="2" fill="none" stroke="currentColor" />
            <path d="M4 14l4-4 3 3 2-2 3 3" fill="none" stroke="currentColor" />
          </svg>
          <span>{element.alt || "Image"} could not be loaded</span>
        </div>
      </ElementWrapper>
    );
  }
  return (
    <ElementWrapper element={element}>
      <img className="image" src={element.url} alt={element.alt} loading="lazy" onError={() => setFailed(true)} />
    </ElementWrapper>
  );
}
