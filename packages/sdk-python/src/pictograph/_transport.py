"""HTTP for the SDK on urllib: one request with the API key, JSON in and out, errors turned
into classes, and retries. Retries only 408, 429, 5xx and network failures, with
exponential backoff, jitter and ``Retry-After``; never anything else (a 409 is an answer).
It never sends the API key anywhere but the configured server (not even across redirects)."""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any, Callable, Dict, Mapping, Optional, TypeVar, Union

from ._version import __version__
from .errors import APIConnectionError, APIConnectionTimeoutError, APIError, error_for_status

T = TypeVar("T")
Body = Union[bytes, IO[bytes], None]
QueryValue = Union[str, int, None]

USER_AGENT = f"pictograph-python/{__version__}"
RETRY_STATUSES = frozenset({408, 429})
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
# A Retry-After beyond this is not waited for: backoff applies instead.
MAX_RETRY_AFTER = 60.0


def should_retry(status: int) -> bool:
    return status in RETRY_STATUSES or status >= 500


def retry_delay(attempt: int, retry_after: Optional[str]) -> float:
    """Seconds to sleep before retry number ``attempt + 1``: the server's ``Retry-After``
    (seconds or an HTTP date) when it gives a sensible one, else backoff with jitter."""
    if retry_after:
        seconds: Optional[float]
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
        if seconds is not None and 0 <= seconds <= MAX_RETRY_AFTER:
            return seconds
    backoff = min(INITIAL_BACKOFF * 2**attempt, MAX_BACKOFF)
    # Jitter spreads clients that failed together so they do not retry together.
    return backoff * (1 - 0.25 * random.random())


def _read_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


class Transport:
    def __init__(self, base_url: str, api_key: str, timeout: float, max_retries: int) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self._opener = urllib.request.build_opener()

    def url(self, path: str, query: Optional[Mapping[str, QueryValue]] = None) -> str:
        url = f"{self.base_url}/api/v1{path}"
        pairs = {key: str(value) for key, value in (query or {}).items() if value is not None}
        return f"{url}?{urllib.parse.urlencode(pairs)}" if pairs else url

    def request_json(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, QueryValue]] = None,
        json_body: Any = None,
        body: Body = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """Sends one API request (retried as the module says) and returns the parsed JSON
        answer, or None for an empty one (204)."""
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        url = self.url(path, query)

        def read(response: http.client.HTTPResponse) -> Any:
            with response:
                try:
                    raw = response.read()
                except socket.timeout as error:
                    raise APIConnectionTimeoutError(f"{method} {_describe(url)}: the answer stalled for {self.timeout:g} s") from error
                except (OSError, http.client.HTTPException) as error:
                    raise APIConnectionError(f"{method} {_describe(url)}: the connection broke mid-answer ({error!r})") from error
                return _read_body(raw, response.headers.get("content-type", ""))

        return self.with_retries(lambda: self._open(method, url, body, sent_headers, authenticated=True), read)

    def open_stream(self, url: str) -> http.client.HTTPResponse:
        """Opens a GET of an absolute URL without the API key (signed links carry their own
        credential), retried until the answer starts; the caller reads and closes it."""
        return self.with_retries(lambda: self._open("GET", url, None, {}, authenticated=False), lambda response: response)

    def with_retries(
        self,
        send: Callable[[], http.client.HTTPResponse],
        receive: Callable[[http.client.HTTPResponse], T],
    ) -> T:
        attempt = 0
        while True:
            try:
                response = send()
                return receive(response)
            except APIError as error:
                if not should_retry(error.status) or attempt >= self.max_retries:
                    raise
                delay = retry_delay(attempt, error.headers.get("retry-after"))
            except APIConnectionError:
                if attempt >= self.max_retries:
                    raise
                delay = retry_delay(attempt, None)
            time.sleep(delay)
            attempt += 1

    def _open(
        self,
        method: str,
        url: str,
        body: Body,
        headers: Mapping[str, str],
        *,
        authenticated: bool,
    ) -> http.client.HTTPResponse:
        if body is not None and not isinstance(body, bytes):
            # A file body is sent again from its start on a retry.
            body.seek(0)
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("User-Agent", USER_AGENT)
        for name, value in headers.items():
            request.add_header(name, value)
        if authenticated:
            # Unredirected: urllib would otherwise copy it to wherever a redirect points.
            request.add_unredirected_header("Authorization", f"Bearer {self.api_key}")
        try:
            response: http.client.HTTPResponse = self._opener.open(request, timeout=self.timeout)
            return response
        except urllib.error.HTTPError as error:
            try:
                raw = error.read()
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                error.close()
            content_type = error.headers.get("content-type", "") if error.headers else ""
            error_headers = dict(error.headers.items()) if error.headers else {}
            raise error_for_status(error.code, _read_body(raw, content_type), error_headers) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, socket.timeout):
                raise APIConnectionTimeoutError(f"{method} {_describe(url)}: no answer within {self.timeout:g} s") from error
            raise APIConnectionError(f"{method} {_describe(url)}: could not connect ({reason})") from error
        except socket.timeout as error:
            raise APIConnectionTimeoutError(f"{method} {_describe(url)}: no answer within {self.timeout:g} s") from error
        except (OSError, http.client.HTTPException) as error:
            raise APIConnectionError(f"{method} {_describe(url)}: the connection failed ({error!r})") from error


def _describe(url: str) -> str:
    """The URL without its query string: signed links carry their credential there."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
