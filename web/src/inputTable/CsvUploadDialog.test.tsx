import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { CsvUploadDialog } from "./CsvUploadDialog";

function renderDialog(onClose = vi.fn()) {
  render(<CsvUploadDialog tableId="leads" tableName="Leads" onClose={onClose} onImported={vi.fn()} />);
  return onClose;
}

describe("CsvUploadDialog", () => {
  it("is a labelled dialog whose Import waits for a file", () => {
    renderDialog();
    const dialog = screen.getByRole("dialog", { name: "Import CSV into Leads" });
    expect(dialog).toHaveAccessibleDescription(/UTF-8 CSV with a header row/);
    const importButton = screen.getByRole("button", { name: "Import" });
    expect(importButton).toBeDisabled();
    const file = new File(["lead_id,name\nL-1,Ada\n"], "leads.csv", { type: "text/csv" });
    fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [file] } });
    expect(screen.getByText("leads.csv")).toBeInTheDocument();
    expect(screen.getByText("21 B")).toBeInTheDocument();
    expect(importButton).toBeEnabled();
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("appends by default and can replace instead", () => {
    renderDialog();
    const append = screen.getByRole("radio", { name: "Keep them and add the file's rows" });
    const replace = screen.getByRole("radio", { name: "Replace them with the file's rows" });
    expect(append).toBeChecked();
    fireEvent.click(replace);
    expect(replace).toBeChecked();
    expect(append).not.toBeChecked();
  });

  it("closes with Cancel and with Escape", () => {
    const onClose = renderDialog();
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(document, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});
