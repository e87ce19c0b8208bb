"""``client.exports``: the published export API (create, list, iter, get, wait_for_completion,
download, delete). Times are seconds. ``download`` to a file never holds the ZIP in memory
and never leaves a partial file under the final name."""

from __future__ import annotations

import io
import os
import socket
import time
import uuid
from contextlib import suppress
from http.client import HTTPException, HTTPResponse
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Union, overload

from .._transport import Transport
from ..errors import APIConnectionError, APIConnectionTimeoutError, ExportFailedError, PollTimeoutError
from ..types import DownloadLink, Export, Page
from ._pages import iterate_pages, page_from
from ._paths import segment

ProgressCallback = Callable[[int, Optional[int]], None]
"""``progress(bytes_done, bytes_total)``; ``bytes_total`` is None when the server did not say."""

DOWNLOAD_CHUNK_SIZE = 1024 * 1024


class Exports:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(
        self,
        dataset: str,
        name: str,
        *,
        format: str = "pictograph",
        include_images: bool = True,
        class_filter: Optional[Sequence[str]] = None,
        status_filter: str = "complete",
        wait: bool = True,
        poll_interval: float = 2.0,
        timeout: float = 600.0,
        idempotency_key: Optional[str] = None,
    ) -> Export:
        """Creates export ``name`` of ``dataset`` and, with ``wait`` (the default), returns it
        once ``completed``. ``format``: pictograph | coco | yolo | cvat | pascal_voc | labelme |
        csv. ``class_filter``: class names to keep (None = all). ``status_filter``: all |
        complete | in_progress | new. ``poll_interval`` and ``timeout`` are seconds; when the
        wait runs out, ``PollTimeoutError`` (the export keeps building).

        Raises ``ConflictError`` when the name is taken, ``ValidationError`` for an unknown
        format, status filter or class, ``NotFoundError`` when the dataset does not exist,
        ``ExportFailedError`` when the build failed. Retries send the same
        ``Idempotency-Key``, so a retried create never makes two exports.
        """
        if wait:
            _check_wait(timeout, poll_interval)
        body: Dict[str, Any] = {
            "name": name,
            "format": format,
            "include_images": include_images,
            # A lone string is sent as is, so the server refuses it rather than splitting it.
            "class_filter": class_filter if class_filter is None or isinstance(class_filter, str) else list(class_filter),
            "status_filter": status_filter,
        }
        data = self._transport.request_json(
            "POST",
            f"/datasets/{segment(dataset)}/exports",
            json_body=body,
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )
        export = Export.from_dict(data)
        return self._wait(export, timeout, poll_interval) if wait else export

    def list(
        self,
        *,
        limit: int = 50,
        cursor: Optional[str] = None,
        dataset: Optional[str] = None,
        status: Optional[str] = None,
    ) -> Page[Export]:
        """One page of the workspace's exports, newest first (``limit`` 1–200). Narrow with
        ``dataset`` and ``status`` (pending | processing | completed | failed)."""
        data = self._transport.request_json(
            "GET",
            "/exports",
            query={"limit": limit, "cursor": cursor, "dataset": dataset, "status": status},
        )
        return page_from(data, Export)

    def iter(
        self,
        *,
        page_size: int = 50,
        dataset: Optional[str] = None,
        status: Optional[str] = None,
    ) -> Iterator[Export]:
        """Every export, newest first, fetching ``page_size`` at a time as you iterate."""
        return iterate_pages(lambda cursor: self.list(limit=page_size, cursor=cursor, dataset=dataset, status=status))

    def get(self, dataset: str, name: str) -> Export:
        """The export as it is now: ``status``, ``progress``, and ``download_url`` once completed."""
        return Export.from_dict(self._transport.request_json("GET", _export_path(dataset, name)))

    def wait_for_completion(self, dataset: str, name: str, *, timeout: float = 600.0, poll_interval: float = 2.0) -> Export:
        """Polls every ``poll_interval`` seconds until the export is ``completed`` and returns it.
        Raises ``PollTimeoutError`` after ``timeout`` seconds (the export keeps building) and
        ``ExportFailedError`` when the build failed."""
        _check_wait(timeout, poll_interval)
        return self._wait(self.get(dataset, name), timeout, poll_interval)

    def download_link(self, dataset: str, name: str) -> DownloadLink:
        """A fresh signed URL for the ZIP of a completed export, valid 60 minutes; fetching it
        needs no API key. ``ConflictError`` while the export is not completed."""
        return DownloadLink.from_dict(self._transport.request_json("GET", _export_path(dataset, name) + "/download"))

    @overload
    def download(
        self,
        dataset: str,
        name: str,
        output_path: None = None,
        *,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DOWNLOAD_CHUNK_SIZE,
    ) -> bytes: ...

    @overload
    def download(
        self,
        dataset: str,
        name: str,
        output_path: Union[str, os.PathLike[str]],
        *,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DOWNLOAD_CHUNK_SIZE,
    ) -> Path: ...

    def download(
        self,
        dataset: str,
        name: str,
        output_path: Union[str, os.PathLike[str], None] = None,
        *,
        progress: Optional[ProgressCallback] = None,
        chunk_size: int = DOWNLOAD_CHUNK_SIZE,
    ) -> Union[bytes, Path]:
        """Downloads a completed export's ZIP.

        With ``output_path`` it streams to ``<output_path>.part`` in chunks, renames it to
        ``output_path`` once every byte arrived, and returns the path; on any failure the
        ``.part`` file is removed and nothing is left under ``output_path``. Without it, it
        returns the ZIP as bytes (held in memory: prefer a path for large exports).
        ``progress(bytes_done, bytes_total)`` is called once before the first chunk and after
        each one.
        """
        link = self.download_link(dataset, name)
        response = self._transport.open_stream(link.url)
        with response:
            total = _content_length(response)
            if total is None:
                total = link.size_bytes
            if output_path is None:
                buffer = io.BytesIO()
                _copy(response, buffer.write, total, progress, chunk_size)
                return buffer.getvalue()
            target = Path(output_path)
            part = target.with_name(target.name + ".part")
            try:
                with open(part, "wb") as file:
                    _copy(response, file.write, total, progress, chunk_size)
                os.replace(part, target)
            except BaseException:
                with suppress(FileNotFoundError):
                    part.unlink()
                raise
            return target

    def delete(self, dataset: str, name: str) -> None:
        """Deletes the export and its ZIP (needs an admin key); a build in progress is
        cancelled and downloads in flight are cut off."""
        self._transport.request_json("DELETE", _export_path(dataset, name))

    def _wait(self, export: Export, timeout: float, poll_interval: float) -> Export:
        started = time.monotonic()
        while True:
            if export.status == "completed":
                return export
            if export.status == "failed":
                raise ExportFailedError(export)
            waited = time.monotonic() - started
            if waited >= timeout:
                raise PollTimeoutError(export, waited)
            time.sleep(min(poll_interval, timeout - waited))
            export = self.get(export.dataset_name, export.name)


def _export_path(dataset: str, name: str) -> str:
    return f"/datasets/{segment(dataset)}/exports/{segment(name)}"


def _check_wait(timeout: float, poll_interval: float) -> None:
    if not timeout >= 0:
        raise ValueError(f"timeout must be a number of seconds, 0 or more, got {timeout!r}")
    if not poll_interval > 0:
        raise ValueError(f"poll_interval must be a number of seconds greater than 0, got {poll_interval!r}")


def _content_length(response: HTTPResponse) -> Optional[int]:
    value = response.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


def _copy(
    response: HTTPResponse,
    write: Callable[[bytes], Any],
    total: Optional[int],
    progress: Optional[ProgressCallback],
    chunk_size: int,
) -> None:
    done = 0
    if progress:
        progress(0, total)
    while True:
        try:
            chunk = response.read(chunk_size)
        except socket.timeout as error:
            raise APIConnectionTimeoutError(f"the download stalled after {done} bytes") from error
        except (OSError, HTTPException) as error:
            raise APIConnectionError(f"the download broke after {done} bytes ({error!r})") from error
        if not chunk:
            break
        write(chunk)
        done += len(chunk)
        if progress:
            progress(done, total)
    if total is not None and done != total:
        raise APIConnectionError(f"the download ended after {done} of {total} bytes")
