// Element type → component. One table, so a new element type is one new entry.

import { lazy, Suspense, type ComponentType } from "react";

import { ButtonView } from "../elements/Button";
import { ContainerView } from "../elements/Container";
import { ControlView } from "../elements/Control";
import { ChartView } from "../elements/ChartView";
import { FormView } from "../elements/Form";
import { ImageView } from "../elements/Image";
import { PivotView } from "../elements/PivotView";
import { PluginView } from "../elements/Plugin";
import { TabsView } from "../elements/Tabs";
import { TextView } from "../elements/Text";
import type { AppElement, ElementType } from "../spec/types";
import { ElementWrapper } from "./ElementWrapper";

// The grid (and its editors) is the heaviest part of the UI: load it when a page has one.
const InputTableView = lazy(() => import("../inputTable/InputTableView"));
const TableView = lazy(() => import("../elements/TableView"));

type Renderers = { [K in ElementType]: ComponentType<{ element: Extract<AppElement, { type: K }> }> | null };

function LazyInputTable({ element }: { element: Extract<AppElement, { type: "input_table" }> }) {
  return (
    <Suspense fallback={<ElementWrapper element={element} status="loading" title="Loading the table editor…" />}>
      <InputTableView element={element} />
    </Suspense>
  );
}

function LazyTable({ element }: { element: Extract<AppElement, { type: "table" }> }) {
  return (
    <Suspense fallback={<ElementWrapper element={element} status="loading" title="Loading the table…" />}>
      <TableView element={element} />
    </Suspense>
  );
}

export const RENDERERS: Renderers = {
  container: ContainerView,
  tabs: TabsView,
  // Overlays render where they open (the modal host, their anchor button), not in a grid cell.
  modal: null,
  popover: null,
  form: FormView,
  text: TextView,
  image: ImageView,
  button: ButtonView,
  table: LazyTable,
  pivot: PivotView,
  chart: ChartView,
  input_table: LazyInputTable,
  control: ControlView,
  plugin: PluginView,
};

export function ElementView({ element }: { element: AppElement }) {
  const Renderer = RENDERERS[element.type] as ComponentType<{ element: AppElement }> | null;
  if (!Renderer) return null;
  return <Renderer element={element} />;
}
