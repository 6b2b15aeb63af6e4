"""The tables of the write-back schema (`sigds` by default).

Documents (specs, definitions, before/after values) are JSON text in TEXT columns: every
engine stores and returns them the same way. Times are UTC `TIMESTAMP`s.
"""

from __future__ import annotations

from trilith.sql.ddl import ColumnSpec as C

__all__ = ["BASE_TABLES", "SCHEMA_VERSION_COLUMNS", "SCHEMA_VERSION_TABLE"]

SCHEMA_VERSION_TABLE = "schema_version"
SCHEMA_VERSION_COLUMNS = (
    C("version", "INT", nullable=False),
    C("description", "TEXT", nullable=False),
    C("applied_at", "TIMESTAMP", nullable=False),
)

_STAMPS = (
    C("created_at", "TIMESTAMP", nullable=False),
    C("created_by", "TEXT"),
    C("updated_at", "TIMESTAMP", nullable=False),
    C("updated_by", "TEXT"),
)

# name -> (columns, primary key)
BASE_TABLES: dict[str, tuple[tuple[C, ...], tuple[str, ...]]] = {
    "apps": (
        (
            C("id", "TEXT", nullable=False),
            C("title", "TEXT", nullable=False),
            C("spec", "TEXT", nullable=False),
            C("spec_hash", "TEXT", nullable=False),
            C("version", "INT", nullable=False),
            *_STAMPS,
        ),
        ("id",),
    ),
    "input_tables": (
        (
            C("id", "TEXT", nullable=False),
            C("app_id", "TEXT"),
            C("name", "TEXT", nullable=False),
            C("type", "TEXT", nullable=False),
            C("columns", "TEXT", nullable=False),
            C("validation_rules", "TEXT"),
            C("governance_config", "TEXT"),
            C("metadata", "TEXT"),
            C("status", "TEXT", nullable=False),
            C("version", "INT", nullable=False),
            *_STAMPS,
        ),
        ("id",),
    ),
    # Element ids are unique within an app, not across apps.
    "layout_elements": (
        (
            C("app_id", "TEXT", nullable=False),
            C("id", "TEXT", nullable=False),
            C("type", "TEXT", nullable=False),
            C("config", "TEXT", nullable=False),
            C("page_id", "TEXT", nullable=False),
            C("parent_id", "TEXT"),
            C("tab_id", "TEXT"),
            C("nesting_level", "INT", nullable=False),
            C("position", "INT", nullable=False),
            *_STAMPS,
        ),
        ("app_id", "id"),
    ),
    "action_sequences": (
        (
            C("app_id", "TEXT", nullable=False),
            C("id", "TEXT", nullable=False),
            C("name", "TEXT", nullable=False),
            C("element_id", "TEXT"),
            C("trigger", "TEXT", nullable=False),
            C("definition", "TEXT", nullable=False),
            C("is_paused", "BOOLEAN", nullable=False),
            *_STAMPS,
        ),
        ("app_id", "id"),
    ),
    "action_runs": (
        (
            C("run_id", "TEXT", nullable=False),
            C("sequence_id", "TEXT", nullable=False),
            C("app_id", "TEXT"),
            C("status", "TEXT", nullable=False),
            C("trigger", "TEXT"),
            C("context", "TEXT"),
            C("steps", "TEXT"),
            C("effects", "TEXT"),
            C("variables", "TEXT"),
            C("error", "TEXT"),
            C("actor", "TEXT"),
            C("request_id", "TEXT"),
            C("idempotency_key", "TEXT"),
            C("current_action", "INT", nullable=False),
            C("total_actions", "INT", nullable=False),
            # pause | resume | stop, asked for by a control request, read between actions.
            C("control", "TEXT"),
            C("owner", "TEXT"),
            C("heartbeat_at", "TIMESTAMP"),
            C("started_at", "TIMESTAMP", nullable=False),
            C("finished_at", "TIMESTAMP"),
        ),
        ("run_id",),
    ),
    "sigds_wal": (
        (
            C("edit_no", "BIGINT", nullable=False),
            C("table_id", "TEXT", nullable=False),
            C("row_id", "TEXT"),
            C("operation", "TEXT", nullable=False),
            C("before_values", "TEXT"),
            C("after_values", "TEXT"),
            C("actor", "TEXT"),
            C("at", "TIMESTAMP", nullable=False),
            C("request_id", "TEXT"),
            C("source", "TEXT", nullable=False),
        ),
        ("edit_no",),
    ),
    # Draft edits waiting for POST …/publish, applied in `seq` order.
    "input_table_pending": (
        (
            C("pending_id", "TEXT", nullable=False),
            C("table_id", "TEXT", nullable=False),
            C("seq", "BIGINT", nullable=False),
            C("operation", "TEXT", nullable=False),
            C("row_id", "TEXT"),
            C("payload", "TEXT"),
            C("expected_version", "BIGINT"),
            C("actor", "TEXT"),
            C("at", "TIMESTAMP", nullable=False),
            C("request_id", "TEXT"),
        ),
        ("pending_id",),
    ),
    # Number sources for engines without sequences (SQLite serialises its writers).
    "counters": (
        (C("name", "TEXT", nullable=False), C("value", "BIGINT", nullable=False)),
        ("name",),
    ),
    "audit_log": (
        (
            C("audit_id", "TEXT", nullable=False),
            C("at", "TIMESTAMP", nullable=False),
            C("actor", "TEXT"),
            C("action", "TEXT", nullable=False),
            C("target_type", "TEXT", nullable=False),
            C("target_id", "TEXT"),
            C("parameters", "TEXT"),
            C("before_values", "TEXT"),
            C("after_values", "TEXT"),
            C("request_id", "TEXT"),
        ),
        ("audit_id",),
    ),
    # One row per schedule fire: the process whose insert wins runs it (actions/scheduler).
    "users": (
        (
            C("user_id", "TEXT", nullable=False),
            C("name", "TEXT", nullable=False),
            C("role", "TEXT", nullable=False),
            C("email", "TEXT"),
            C("created_at", "TIMESTAMP", nullable=False),
            C("created_by", "TEXT"),
            C("disabled", "BOOLEAN", nullable=False),
        ),
        ("user_id",),
    ),
    # API tokens are kept as SHA-256 hashes of 32 random bytes: a leaked table names no token.
    "api_tokens": (
        (
            C("token_id", "TEXT", nullable=False),
            C("user_id", "TEXT", nullable=False),
            C("token_hash", "TEXT", nullable=False),
            C("scopes", "TEXT", nullable=False),
            C("created_at", "TIMESTAMP", nullable=False),
            C("expires_at", "TIMESTAMP"),
            C("revoked_at", "TIMESTAMP"),
            C("last_used_at", "TIMESTAMP"),
        ),
        ("token_id",),
    ),
    # Embed clients keep no secret, only a nonce it is derived from and its fingerprint.
    "embed_clients": (
        (
            C("client_id", "TEXT", nullable=False),
            C("name", "TEXT", nullable=False),
            C("max_role", "TEXT", nullable=False),
            C("secret_nonce", "TEXT", nullable=False),
            C("secret_fingerprint", "TEXT", nullable=False),
            C("created_at", "TIMESTAMP", nullable=False),
            C("created_by", "TEXT"),
            C("rotated_at", "TIMESTAMP"),
            C("disabled", "BOOLEAN", nullable=False),
        ),
        ("client_id",),
    ),
    # Embed token ids seen, kept until the token expires: a second use is a replay.
    "embed_jti": (
        (
            C("client_id", "TEXT", nullable=False),
            C("jti", "TEXT", nullable=False),
            C("expires_at", "TIMESTAMP", nullable=False),
            C("used_at", "TIMESTAMP", nullable=False),
        ),
        ("client_id", "jti"),
    ),
    # Browser sessions: a random id in an HttpOnly cookie, kept here as its SHA-256.
    "sessions": (
        (
            C("session_hash", "TEXT", nullable=False),
            C("user_id", "TEXT", nullable=False),
            C("token_id", "TEXT"),
            C("csrf_token", "TEXT", nullable=False),
            C("created_at", "TIMESTAMP", nullable=False),
            C("expires_at", "TIMESTAMP", nullable=False),
            C("revoked_at", "TIMESTAMP"),
        ),
        ("session_hash",),
    ),
    # Per-app and per-input-table grants: a principal (user, role or team) and a level.
    "grants": (
        (
            C("grant_id", "TEXT", nullable=False),
            C("principal_type", "TEXT", nullable=False),
            C("principal", "TEXT", nullable=False),
            C("object_type", "TEXT", nullable=False),
            C("object_id", "TEXT", nullable=False),
            C("level", "TEXT", nullable=False),
            C("created_at", "TIMESTAMP", nullable=False),
            C("created_by", "TEXT"),
        ),
        ("grant_id",),
    ),
    "schedule_fires": (
        (
            C("app_id", "TEXT", nullable=False),
            C("sequence_id", "TEXT", nullable=False),
            C("due_at", "TIMESTAMP", nullable=False),
            C("fired_at", "TIMESTAMP", nullable=False),
            C("owner", "TEXT"),
        ),
        ("app_id", "sequence_id", "due_at"),
    ),
    "ai_usage": (
        (
            C("usage_id", "TEXT", nullable=False),
            C("at", "TIMESTAMP", nullable=False),
            C("actor", "TEXT"),
            C("app_id", "TEXT"),
            C("function", "TEXT", nullable=False),
            C("provider", "TEXT", nullable=False),
            C("model", "TEXT"),
            C("tokens_in", "BIGINT"),
            C("tokens_out", "BIGINT"),
            C("cost", "DOUBLE"),
            C("execution_ms", "DOUBLE"),
            C("status", "TEXT", nullable=False),
        ),
        ("usage_id",),
    ),
    # One row per document sent to POST /api/ai/documents: what it was and what AI found.
    "ai_documents": (
        (
            C("document_id", "TEXT", nullable=False),
            C("at", "TIMESTAMP", nullable=False),
            C("actor", "TEXT"),
            C("app_id", "TEXT"),
            C("filename", "TEXT"),
            C("document_type", "TEXT", nullable=False),
            C("bytes", "BIGINT", nullable=False),
            C("sha256", "TEXT", nullable=False),
            C("pages", "INT", nullable=False),
            C("ocr_pages", "INT", nullable=False),
            C("analysis", "TEXT", nullable=False),
            C("classification", "TEXT"),
            C("result", "TEXT"),
            C("entities", "TEXT"),
            C("confidence", "DOUBLE"),
            C("extracted_text", "TEXT"),
            C("processing_ms", "DOUBLE"),
        ),
        ("document_id",),
    ),
}
