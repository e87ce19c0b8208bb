"""Every error the SDK raises, and the one function that picks an HTTP error's class from
its status. Callers switch on classes (``except NotFoundError``), never on messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Type

if TYPE_CHECKING:
    from .types import Export


class PictographError(Exception):
    """The base class: everything the SDK raises on purpose is one of these."""


class ConfigurationError(PictographError):
    """The client is missing its server URL or API key (argument or environment)."""


class APIError(PictographError):
    """The server answered with an error status."""

    status: int
    """The HTTP status."""
    request_id: Optional[str]
    """The server's ``x-request-id``: quote it when reporting a problem."""
    body: Any
    """The parsed error body (``{"error": {"code", "message", "details"}}``), or the raw text
    when it was not JSON."""
    code: Optional[str]
    """``error.code`` of the body (``not_found``, ``conflict``, ``validation_error``…)."""
    details: Any
    """``error.details`` of the body, when there is one."""
    headers: Dict[str, str]
    """The response headers, names in lower case."""

    def __init__(self, status: int, body: Any, headers: Optional[Mapping[str, str]] = None) -> None:
        self.status = status
        self.body = body
        self.headers = {name.lower(): value for name, value in (headers or {}).items()}
        self.request_id = self.headers.get("x-request-id") or None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            self.code = error.get("code") if isinstance(error.get("code"), str) else None
            self.details = error.get("details")
            message = error["message"]
        else:
            self.code = None
            self.details = None
            text = body[:200] if isinstance(body, str) and body else ""
            message = f"the server answered {status}" + (f": {text}" if text else "")
        self.message = message
        suffix = f"HTTP {status}" + (f", request id {self.request_id}" if self.request_id else "")
        super().__init__(f"{message} ({suffix})")


class BadRequestError(APIError):
    """400: the request was malformed (not JSON, for example)."""


class AuthenticationError(APIError):
    """401: no API key, or one that is invalid or revoked."""


class PermissionDeniedError(APIError):
    """403: the key's role may not do this (deleting an export needs admin)."""


class NotFoundError(APIError):
    """404: the dataset, export or image does not exist in the key's workspace."""


class ConflictError(APIError):
    """409: the name is taken, or the export is not in a state that allows this. Never retried."""


class ValidationError(APIError):
    """422: an input was refused (unknown format, status filter or class); ``issues`` says which."""

    issues: List[Dict[str, str]]
    """The refused fields, e.g. ``[{"path": "format", "message": "format must be one of: …"}]``."""

    def __init__(self, status: int, body: Any, headers: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(status, body, headers)
        issues = self.details.get("issues") if isinstance(self.details, dict) else None
        self.issues = [issue for issue in issues if isinstance(issue, dict)] if isinstance(issues, list) else []


class RateLimitError(APIError):
    """429: too many requests; retried after ``Retry-After`` before this is raised."""


class ServerError(APIError):
    """5xx: the server failed; retried before this is raised."""


# The TypeScript SDK's name for the same class.
InternalServerError = ServerError


class APIConnectionError(PictographError):
    """The server could not be reached, or the connection broke before the answer was complete."""


class APIConnectionTimeoutError(APIConnectionError):
    """No answer within the client's ``timeout`` seconds."""


class PollTimeoutError(PictographError):
    """A wait ran out of time. The export keeps building on the server: wait again, or ``get``
    it later."""

    status: int = 408
    """As in the API's error codes: 408 means "timed out"."""
    export: Export
    """The export as last seen (``pending`` or ``processing``)."""
    waited_seconds: float
    """How long the wait lasted, in seconds."""

    def __init__(self, export: Export, waited_seconds: float) -> None:
        self.export = export
        self.waited_seconds = waited_seconds
        super().__init__(
            f'export "{export.name}" of dataset "{export.dataset_name}" is still {export.status} '
            f"({export.progress:g}%) after {waited_seconds:.1f} s; it keeps building: wait again or get it later"
        )


class ExportFailedError(PictographError):
    """A wait ended with the export ``failed``: there is no ZIP. ``export.error_message`` says why."""

    export: Export

    def __init__(self, export: Export) -> None:
        self.export = export
        super().__init__(
            f'export "{export.name}" of dataset "{export.dataset_name}" failed: '
            f"{export.error_message or 'no reason given'}"
        )


_BY_STATUS: Dict[int, Type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_for_status(status: int, body: Any, headers: Optional[Mapping[str, str]] = None) -> APIError:
    """The error for an HTTP answer: the only place a status becomes a class."""
    if status >= 500:
        return ServerError(status, body, headers)
    return _BY_STATUS.get(status, APIError)(status, body, headers)
