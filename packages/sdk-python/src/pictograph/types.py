"""The wire objects as dataclasses: the same snake_case fields as the REST API. Fields a newer
server adds land in ``extra`` instead of breaking older clients; timestamps stay ISO 8601
strings, as on the wire."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Dict, Generic, Iterator, List, Mapping, Optional, Type, TypeVar

from .errors import PictographError

T = TypeVar("T")
W = TypeVar("W", bound="_WireObject")


class _WireObject:
    """Builds a dataclass from a wire dict, keeping unknown keys in ``extra``."""

    @classmethod
    def from_dict(cls: Type[W], data: Mapping[str, Any]) -> W:
        if not isinstance(data, Mapping):
            raise PictographError(f"expected a {cls.__name__} object from the server, got {str(data)[:200]!r}: is the URL a Pictograph server?")
        known = {f.name for f in fields(cls)} - {"extra"}  # type: ignore[arg-type]
        values = {key: value for key, value in data.items() if key in known}
        extra = {key: value for key, value in data.items() if key not in known}
        return cls(**values, extra=extra)


@dataclass
class Export(_WireObject):
    """One export: a ZIP of a dataset in one format, built in the background."""

    id: str
    dataset_name: str
    name: str
    format: str = "pictograph"
    """pictograph | coco | yolo | cvat | pascal_voc | labelme | csv"""
    include_images: bool = True
    class_filter: Optional[List[str]] = None
    """Only these classes' annotations; None = all classes."""
    status_filter: str = "complete"
    """all | new | in_progress | complete: which images, by review status."""
    status: str = "pending"
    """pending → processing → completed | failed"""
    progress: float = 0
    """Percent done, 0–100."""
    image_count: Optional[int] = None
    annotation_count: Optional[int] = None
    size_bytes: Optional[int] = None
    sha256: Optional[str] = None
    error_message: Optional[str] = None
    created_at: Optional[str] = None
    completed_at: Optional[str] = None
    expires_at: Optional[str] = None
    download_url: Optional[str] = None
    """A signed link to the ZIP (valid 60 minutes) once completed; None before."""
    extra: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Fields this SDK version does not know yet."""


@dataclass
class DownloadLink(_WireObject):
    """A fresh signed link to a completed export's ZIP; it needs no API key."""

    url: str
    expires_at: str
    size_bytes: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class ImageCounts(_WireObject):
    total: int = 0
    new: int = 0
    in_progress: int = 0
    complete: int = 0
    extra: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Dataset(_WireObject):
    id: str
    name: str
    description: str = ""
    image_counts: ImageCounts = field(default_factory=ImageCounts)
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dataset:
        dataset = super().from_dict(data)
        if isinstance(data.get("image_counts"), Mapping):
            dataset.image_counts = ImageCounts.from_dict(data["image_counts"])
        return dataset


@dataclass
class Image(_WireObject):
    path: str
    width: int
    height: int
    status: str = "new"
    """new | in_progress | complete"""
    split: Optional[str] = None
    """train | val | test, or None"""
    tags: List[str] = field(default_factory=list)
    id: Optional[str] = None
    dataset_name: Optional[str] = None
    sha256: Optional[str] = None
    size_bytes: Optional[int] = None
    mime: Optional[str] = None
    annotation_count: int = 0
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Page(Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``cursor`` for the next (None = last page).
    Iterating a page yields its items."""

    data: List[T]
    next_cursor: Optional[str] = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
