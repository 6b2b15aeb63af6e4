// The resolved app spec, as `GET /api/apps/{id}` returns it (every default filled in).
// Mirrors src/trilith/spec (see docs/app-spec.md); keys are snake_case.

export type Density = 6 | 12 | 24;
export type Spacing = "small" | "medium" | "large";
export type CornerStyle = "square" | "round" | "pill";
export type Width = "xs" | "sm" | "md" | "lg" | "xl";

export interface Position {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Border {
  width: number;
  color: string;
  style: "solid" | "dashed" | "dotted";
}

export interface Style {
  background_color?: string | null;
  text_color?: string | null;
  border?: Border | null;
  padding?: number | null;
  margin?: number | null;
  border_radius?: number | null;
  box_shadow?: string | null;
  z_index?: number | null;
}

interface ElementBase {
  id: string;
  position?: Position | null;
  visible?: boolean | string;
  style?: Style | null;
  actions?: string[];
}

export interface ContainerElement extends ElementBase {
  type: "container";
  density: Density;
  spacing: Spacing;
  padding: boolean;
  background?: string | null;
  border?: Border | null;
  corner_style: CornerStyle;
  element_gap: boolean;
  children: AppElement[];
}

export interface Tab {
  id: string;
  label: string;
  disabled?: boolean;
  children: AppElement[];
}

export interface TabsElement extends ElementBase {
  type: "tabs";
  tabs: Tab[];
  default_tab?: string | null;
  show_tab_bar: boolean;
  tab_style: "open" | "box" | "button";
  alignment: "left" | "center" | "end" | "justify";
  size: "small" | "medium" | "large";
}

export interface ModalButton {
  label: string;
  hidden?: boolean;
}

export interface ModalElement extends ElementBase {
  type: "modal";
  title: string;
  width: Width;
  show_header: boolean;
  show_footer: boolean;
  show_close_icon: boolean;
  primary_button?: ModalButton | null;
  secondary_button?: ModalButton | null;
  prevent_close_on_overlay: boolean;
  children: AppElement[];
}

export interface PopoverElement extends ElementBase {
  type: "popover";
  anchor: string;
  width: Width;
  children: AppElement[];
}

export interface FormField {
  control?: string | null;
  column?: string | null;
  label?: string | null;
  required?: boolean;
}

export interface FormElement extends ElementBase {
  type: "form";
  fields: FormField[];
  input_table?: string | null;
  submit?: string | null;
  submit_label: string;
}

export interface TextElement extends ElementBase {
  type: "text";
  content: string;
}

export interface ImageElement extends ElementBase {
  type: "image";
  url: string;
  alt: string;
}

export interface ButtonElement extends ElementBase {
  type: "button";
  label: string;
  variant: "primary" | "secondary" | "outline" | "link";
}

export interface TableElement extends ElementBase {
  type: "table";
  source: string;
  columns: string[];
  title?: string | null;
  /** The initial sort: a column, `-` first for descending. */
  sort?: string | null;
}

export interface PivotElement extends ElementBase {
  type: "pivot";
  source: string;
  rows: string[];
  columns: string[];
  values: string[];
  title?: string | null;
}

export type ChartType = "bar" | "line" | "area" | "scatter" | "pie" | "kpi";

export interface ChartElement extends ElementBase {
  type: "chart";
  chart_type: ChartType;
  source: string;
  x?: string | null;
  y: string[];
  series?: string | null;
  value?: string | null;
  title?: string | null;
}

export interface InputTableElement extends ElementBase {
  type: "input_table";
  input_table: string;
}

export interface ControlElement extends ElementBase {
  type: "control";
  control: string;
}

export interface PluginElement extends ElementBase {
  type: "plugin";
  url: string;
  config: Record<string, unknown>;
}

export type AppElement =
  | ContainerElement
  | TabsElement
  | ModalElement
  | PopoverElement
  | FormElement
  | TextElement
  | ImageElement
  | ButtonElement
  | TableElement
  | PivotElement
  | ChartElement
  | InputTableElement
  | ControlElement
  | PluginElement;

export type ElementType = AppElement["type"];

export type ControlType =
  "text" | "number" | "list" | "date" | "date_range" | "range" | "checkbox" | "switch" | "segmented" | "slider";

export type ControlValue = string | number | boolean | null | ControlValue[];

export interface ControlSpec {
  id: string;
  type: ControlType;
  label?: string | null;
  default?: ControlValue;
  options?: (string | number | boolean)[] | null;
  multiple?: boolean;
}

export interface InputTableColumnSpec {
  name: string;
  type: string;
  label?: string | null;
  required?: boolean;
}

export interface InputTableSpec {
  id: string;
  name: string;
  kind: "empty" | "csv" | "linked";
  columns: InputTableColumnSpec[];
  source?: string | null;
  key?: string | null;
}

export type TriggerType =
  | "click"
  | "select"
  | "change"
  | "submit"
  | "open"
  | "close"
  | "load"
  | "primary_click"
  | "secondary_click"
  | "tab_change"
  | "context_menu"
  | "modal_primary"
  | "modal_secondary"
  | "modal_close";

export interface Trigger {
  type: TriggerType;
  /** A context_menu trigger: its menu item's id and label. */
  menu_item_id?: string;
  label?: string;
  column_name?: string;
}

export interface ActionStep {
  type: string;
  [parameter: string]: unknown;
}

export interface ActionSequence {
  id: string;
  name?: string | null;
  element?: string | null;
  trigger: Trigger;
  actions: ActionStep[];
}

export interface Theme {
  mode: "light" | "dark";
  primary_color?: string | null;
  background_color?: string | null;
  font_family?: string | null;
}

export interface Page {
  id: string;
  title: string;
  elements: AppElement[];
}

export interface AppSpec {
  id: string;
  title: string;
  description?: string | null;
  theme?: Theme | null;
  controls: ControlSpec[];
  input_tables: InputTableSpec[];
  pages: Page[];
  actions: ActionSequence[];
}

export interface ResolvedApp {
  app: AppSpec;
  version: number;
  updated_at?: string | null;
  updated_by?: string | null;
}

export interface AppSummary {
  id: string;
  title: string;
  version: number;
  updated_at?: string | null;
  updated_by?: string | null;
}

/** Children of an element that hold elements of their own, for walking the tree. */
export function childElements(element: AppElement): AppElement[] {
  switch (element.type) {
    case "container":
    case "modal":
    case "popover":
      return element.children;
    case "tabs":
      return element.tabs.flatMap((tab) => tab.children);
    default:
      return [];
  }
}

/** Every element of the app, depth first, with the page it is on. */
export function* walkElements(app: AppSpec): Generator<[AppElement, Page]> {
  for (const page of app.pages) {
    const stack = [...page.elements].reverse();
    while (stack.length > 0) {
      const element = stack.pop() as AppElement;
      yield [element, page];
      stack.push(...[...childElements(element)].reverse());
    }
  }
}
