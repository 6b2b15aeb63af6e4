"""The `sigds` write-back schema: its tables and versioned migrations."""

from trilith.metadata.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    MigrationReport,
    current_version,
    migrate,
)

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "MigrationReport",
    "current_version",
    "migrate",
]
