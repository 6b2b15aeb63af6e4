// Someone saved the row after we read it: show their value next to ours, per column, and
// let the person keep theirs or overwrite with mine (a write against their version).

import { Dialog } from "../ui/Dialog";
import { displayValue, type GridColumnModel } from "./columns";
import type { Conflict } from "./useTableEditor";

function when(value: unknown): string {
  return typeof value === "string" ? value.replace("T", " ").slice(0, 19) : "";
}

export function ConflictDialog({
  conflict,
  columns,
  onResolve,
}: {
  conflict: Conflict;
  columns: GridColumnModel[];
  onResolve: (choice: "mine" | "theirs") => void;
}) {
  const { theirs, mine } = conflict;
  const changed = Object.keys(mine)
    .map((id) => columns.find((c) => c.id === id))
    .filter((c): c is GridColumnModel => Boolean(c));
  const who = theirs._updated_by ? ` by ${theirs._updated_by}` : "";
  const show = (column: GridColumnModel, value: unknown) => displayValue(column, value) || "(empty)";
  return (
    <Dialog
      title="This row changed while you were editing"
      description={`It was saved${who}${theirs._updated_at ? ` at ${when(theirs._updated_at)} UTC` : ""} after you started editing. Your change is not saved yet.`}
      onClose={() => onResolve("theirs")}
      width={560}
      role="alertdialog"
      dataId="conflict"
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={() => onResolve("theirs")}>
            Take theirs
          </button>
          <button type="button" className="button button-primary" onClick={() => onResolve("mine")}>
            Keep mine
          </button>
        </>
      }
    >
      <table className="compare-table">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Their value</th>
            <th scope="col">Your value</th>
          </tr>
        </thead>
        <tbody>
          {changed.map((column) => (
            <tr key={column.id}>
              <th scope="row">{column.definition?.label ?? column.id}</th>
              <td className="theirs">{show(column, theirs[column.id])}</td>
              <td className="mine">{show(column, mine[column.id])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">“Keep mine” saves your values over theirs; “Take theirs” discards yours.</p>
    </Dialog>
  );
}
