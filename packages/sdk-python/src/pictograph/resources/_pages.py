"""Walks a cursor-paginated list to its end, one page in memory at a time."""

from __future__ import annotations

from typing import Callable, Iterator, Optional, TypeVar

from ..types import Page

T = TypeVar("T")


def iterate_pages(fetch: Callable[[Optional[str]], Page[T]]) -> Iterator[T]:
    cursor: Optional[str] = None
    while True:
        page = fetch(cursor)
        yield from page.data
        if not page.next_cursor:
            return
        cursor = page.next_cursor
