import { ElementWrapper } from "../layout/ElementWrapper";
import { Grid } from "../layout/Grid";
import { CORNER_RADIUS, SPACING_PX } from "../layout/placement";
import type { ContainerElement } from "../spec/types";

export function ContainerView({ element }: { element: ContainerElement }) {
  const space = SPACING_PX[element.spacing] ?? 16;
  const border = element.border
    ? `${element.border.width}px ${element.border.style} ${element.border.color}`
    : undefined;
  return (
    <ElementWrapper
      element={element}
      className={`corner-${element.corner_style}`}
      style={{
        background: element.background ?? undefined,
        border,
        borderRadius: CORNER_RADIUS[element.corner_style],
        // A pill keeps its content clear of the rounded ends.
        paddingInline: element.corner_style === "pill" && element.padding ? Math.max(space, 24) : undefined,
      }}
    >
      <Grid
        elements={element.children}
        columns={element.density}
        gap={element.element_gap ? space : 0}
        padding={element.padding ? space : 0}
      />
    </ElementWrapper>
  );
}
