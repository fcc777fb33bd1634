"""Cutting a list into pages: pure arithmetic, shared by list endpoints and feed pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageInfo:
    page: int
    page_size: int
    total_items: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_items / self.page_size)

    def as_dict(self) -> dict[str, int]:
        return {
            "page": self.page,
            "pageSize": self.page_size,
            "totalItems": self.total_items,
            "totalPages": self.total_pages,
        }


def page_of(items: Sequence[T], page: int, page_size: int) -> tuple[Sequence[T], PageInfo]:
    """The items of page ``page`` (from 1) and where it sits; past the end is empty."""
    start = (page - 1) * page_size
    return items[start : start + page_size], PageInfo(page, page_size, len(items))
