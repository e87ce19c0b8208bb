"""``client.images``: uploads an image file into a dataset. The file is streamed from disk,
never read into memory whole."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import IO, Dict, Optional, Union

from .._transport import Transport
from ..types import Image
from ._paths import image_path, segment

ImageSource = Union[bytes, str, "os.PathLike[str]", IO[bytes]]
"""Bytes, a file path, or a binary file opened for reading (sent from its start)."""


class Images:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def upload(
        self,
        dataset: str,
        path: str,
        file: ImageSource,
        *,
        status: Optional[str] = None,
        split: Optional[str] = None,
    ) -> Image:
        """Stores ``file`` (bytes, a file path, or a binary file opened for reading) as image
        ``path`` of ``dataset`` (``path`` may contain folders: ``batch1/x.jpg``); an existing
        image at that path gets the new file and keeps its annotations. ``status``: new |
        in_progress | complete; ``split``: train | val | test. PNG, JPEG, WebP, GIF, BMP, TIFF."""
        query = {"status": status, "split": split}
        url_path = f"/datasets/{segment(dataset)}/images/{image_path(path)}"
        headers = {"Content-Type": mimetypes.guess_type(path)[0] or "application/octet-stream"}
        if isinstance(file, (str, os.PathLike)):
            with open(Path(file), "rb") as opened:
                return self._send(url_path, query, opened, headers)
        return self._send(url_path, query, file, headers)

    def _send(self, url_path: str, query: Dict[str, Optional[str]], file: Union[bytes, IO[bytes]], headers: Dict[str, str]) -> Image:
        if not isinstance(file, bytes):
            if not file.seekable():
                # A retry must send the body again, so a pipe is read whole first.
                file = file.read()
            else:
                headers = {**headers, "Content-Length": str(file.seek(0, os.SEEK_END))}
        data = self._transport.request_json("PUT", url_path, query=query, body=file, headers=headers)
        return Image.from_dict(data)
