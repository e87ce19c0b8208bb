"""Cursor-paginated lists: a page from the wire, and a walk to the last page holding one page
in memory at a time."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional, Type, TypeVar

from ..errors import PictographError
from ..types import Page, W

T = TypeVar("T")


def page_from(data: Any, item: Type[W]) -> Page[W]:
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise PictographError(f"expected a page of {item.__name__} objects from the server, got {str(data)[:200]!r}")
    return Page([item.from_dict(entry) for entry in items], data.get("next_cursor"))


def iterate_pages(fetch: Callable[[Optional[str]], Page[T]]) -> Iterator[T]:
    cursor: Optional[str] = None
    while True:
        page = fetch(cursor)
        yield from page.data
        if not page.next_cursor:
            return
        cursor = page.next_cursor
