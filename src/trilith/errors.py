"""The one exception hierarchy of Trilith.

Every error a user can cause or meet is one of these; the API turns each into the error
shape of DESIGN.md with the HTTP status of its class::

    TrilithError                      500
    ├── BadRequest                    400  malformed input (bad JSON, bad query string)
    ├── AuthenticationRequired        401
    ├── PermissionDenied              403
    ├── NotFound                      404
    ├── Conflict                      409  stale version, duplicate id
    ├── PayloadTooLarge               413
    ├── UnsupportedMediaType          415
    ├── ValidationFailed              422  details name the field (and the row)
    ├── RateLimited                   429  carries retry_after
    ├── ConfigurationError            500  bad settings, unknown URL scheme
    │   └── MissingDriver                  an optional driver is not installed
    └── WarehouseUnavailable          503  the warehouse cannot be reached

`WarehouseError` (500) wraps an error the warehouse raised for a statement that reached
it; it is not a user error but keeps the driver's message for the log.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthenticationRequired",
    "BadRequest",
    "ConfigurationError",
    "Conflict",
    "MissingDriver",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "RateLimited",
    "TrilithError",
    "UnsupportedMediaType",
    "ValidationFailed",
    "WarehouseError",
    "WarehouseUnavailable",
]


class TrilithError(Exception):
    status_code: int = 500
    error_type: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        # Extra top-level fields for the response (a 409 carries the current row).
        self.body = body or {}


class BadRequest(TrilithError):
    status_code = 400
    error_type = "bad_request"


class AuthenticationRequired(TrilithError):
    status_code = 401
    error_type = "authentication_required"


class PermissionDenied(TrilithError):
    status_code = 403
    error_type = "permission_denied"


class NotFound(TrilithError):
    status_code = 404
    error_type = "not_found"


class Conflict(TrilithError):
    status_code = 409
    error_type = "conflict"


class PayloadTooLarge(TrilithError):
    status_code = 413
    error_type = "payload_too_large"


class UnsupportedMediaType(TrilithError):
    status_code = 415
    error_type = "unsupported_media_type"


class ValidationFailed(TrilithError):
    status_code = 422
    error_type = "validation_failed"


class RateLimited(TrilithError):
    status_code = 429
    error_type = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigurationError(TrilithError):
    status_code = 500
    error_type = "configuration_error"


class MissingDriver(ConfigurationError):
    error_type = "missing_driver"


class WarehouseUnavailable(TrilithError):
    status_code = 503
    error_type = "warehouse_unavailable"


class WarehouseError(TrilithError):
    status_code = 500
    error_type = "warehouse_error"
