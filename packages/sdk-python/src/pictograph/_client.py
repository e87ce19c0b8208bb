"""The client: resolves the server URL and API key (arguments first, then PICTOGRAPH_URL and
PICTOGRAPH_API_KEY) and hands one transport to every resource. It never prints or logs the
API key."""

from __future__ import annotations

from typing import List, Optional

from ._env import ENV_API_KEY, ENV_URL, read_env
from ._transport import Transport
from .errors import ConfigurationError
from .resources.datasets import Datasets
from .resources.exports import Exports
from .resources.images import Images

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


class Client:
    """``Client()`` reads PICTOGRAPH_URL and PICTOGRAPH_API_KEY; arguments override them.

    ``timeout`` is in seconds and applies to each network operation (connecting, or waiting
    for the next bytes), not to a whole download. ``max_retries`` is how many times a request
    is sent again after a 408, 429, 5xx or network failure.
    """

    exports: Exports
    datasets: Datasets
    images: Images
    base_url: str
    timeout: float
    max_retries: int

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        key = _setting(api_key) or read_env(ENV_API_KEY)
        url = _setting(base_url) or read_env(ENV_URL)
        if not url or not key:
            missing: List[str] = []
            if not url:
                missing.append(f"no server URL: pass Client(base_url=...) or set {ENV_URL} (e.g. http://localhost:3000)")
            if not key:
                missing.append(f"no API key: pass Client(api_key=...) or set {ENV_API_KEY}")
            raise ConfigurationError("the Pictograph client is not configured: " + "; ".join(missing))
        if not url.startswith(("http://", "https://")):
            raise ConfigurationError(f"the server URL must start with http:// or https://, got {url!r}")
        if not timeout > 0:
            raise ConfigurationError(f"timeout must be a number of seconds greater than 0, got {timeout!r}")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be a whole number, 0 or more, got {max_retries!r}")

        self.base_url = _normalise_url(url)
        self.timeout = float(timeout)
        self.max_retries = max_retries
        transport = Transport(self.base_url, key, self.timeout, max_retries)
        self.exports = Exports(transport)
        self.datasets = Datasets(transport)
        self.images = Images(transport)

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r})"


def _setting(value: Optional[str]) -> Optional[str]:
    """An argument counts like the environment: trimmed, and empty means unset."""
    return (value.strip() or None) if value is not None else None


def _normalise_url(url: str) -> str:
    """``http://host:3000``, ``http://host:3000/`` and ``http://host:3000/api/v1`` all name
    the same server."""
    url = url.rstrip("/")
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")]
    return url
