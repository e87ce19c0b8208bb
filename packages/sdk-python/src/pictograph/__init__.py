"""Pictograph's Python SDK: ``from pictograph import Client``. Standard library only."""

from ._client import Client
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ExportFailedError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PictographError,
    PollTimeoutError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .types import Dataset, DownloadLink, Export, Image, ImageCounts, Page

__all__ = [
    "APIConnectionError",
    "APIConnectionTimeoutError",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Dataset",
    "DownloadLink",
    "Export",
    "ExportFailedError",
    "Image",
    "ImageCounts",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "PictographError",
    "PollTimeoutError",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "__version__",
]
