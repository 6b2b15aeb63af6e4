"""CSV input tables: create a table from a file, or import a file into one.

See `ingest` for the pipeline and docs/csv-import.md for what a file may hold.
"""

from trilith.input_tables.csv.ingest import (
    ImportedColumn,
    ImportReport,
    create_csv_table,
    import_csv,
)
from trilith.input_tables.csv.options import CsvOptions, CsvTableRequest
from trilith.input_tables.csv.progress import (
    ImportProgress,
    ProgressCallback,
    Throttled,
    new_import_id,
)

__all__ = [
    "CsvOptions",
    "CsvTableRequest",
    "ImportProgress",
    "ImportReport",
    "ImportedColumn",
    "ProgressCallback",
    "Throttled",
    "create_csv_table",
    "import_csv",
    "new_import_id",
]
