import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import type { ControlSpec, ControlValue } from "../spec/types";
import { ControlInput } from "./ControlInput";

const regions: ControlSpec = {
  id: "region",
  type: "list",
  label: "Regions",
  multiple: true,
  options: ["North", "South", "East"],
};

function Harness({ start, seen }: { start: ControlValue; seen: ControlValue[] }) {
  const [value, setValue] = useState<ControlValue>(start);
  return (
    <ControlInput
      control={regions}
      value={value}
      onChange={(next) => {
        seen.push(next);
        setValue(next);
      }}
    />
  );
}

describe("a multi-select list control", () => {
  it("toggles values with checkboxes in a labelled group and clears them", () => {
    const seen: ControlValue[] = [];
    render(<Harness start={["North"]} seen={seen} />);
    const group = screen.getByRole("group", { name: /Regions/ });
    expect(group).toBeTruthy();
    expect((screen.getByRole("checkbox", { name: "North" }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole("checkbox", { name: "East" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "North" }));
    expect(seen).toEqual([["North", "East"], ["East"]]);
    expect(screen.getByText("· 1 chosen")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(seen.at(-1)).toEqual([]);
    expect(screen.queryByRole("button", { name: "Clear" })).toBeNull();
  });

  it("reads a single value as a one-item choice", () => {
    render(<Harness start={"South"} seen={[]} />);
    expect((screen.getByRole("checkbox", { name: "South" }) as HTMLInputElement).checked).toBe(true);
  });
});
