"""``client.datasets``: create, list, iter and get the workspace's datasets."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping, Optional, Sequence

from .._transport import Transport
from ..types import Dataset, Page
from ._pages import iterate_pages, page_from
from ._paths import segment


class Datasets:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def create(
        self,
        name: str,
        *,
        description: str = "",
        classes: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> Dataset:
        """Creates a dataset. ``classes`` in order, e.g. ``[{"name": "car", "color": "#ff0000"}]``
        (optional keys: ``attributes``, ``keypoints``). ``ConflictError`` when the name is taken."""
        body: Dict[str, Any] = {"name": name, "description": description, "classes": [dict(c) for c in classes or []]}
        return Dataset.from_dict(self._transport.request_json("POST", "/datasets", json_body=body))

    def list(self, *, limit: int = 50, cursor: Optional[str] = None) -> Page[Dataset]:
        """One page of datasets, by name (``limit`` 1–200)."""
        data = self._transport.request_json("GET", "/datasets", query={"limit": limit, "cursor": cursor})
        return page_from(data, Dataset)

    def iter(self, *, page_size: int = 50) -> Iterator[Dataset]:
        """Every dataset, by name, fetching ``page_size`` at a time as you iterate."""
        return iterate_pages(lambda cursor: self.list(limit=page_size, cursor=cursor))

    def get(self, name: str) -> Dataset:
        """The dataset with its image counts by status. ``NotFoundError`` when it does not exist."""
        return Dataset.from_dict(self._transport.request_json("GET", f"/datasets/{segment(name)}"))
