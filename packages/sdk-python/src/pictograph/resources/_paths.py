"""URL paths of the REST API: every name is escaped as one path segment, image paths keep
their folders."""

from __future__ import annotations

import urllib.parse


def segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def image_path(path: str) -> str:
    return urllib.parse.quote(path, safe="/")
