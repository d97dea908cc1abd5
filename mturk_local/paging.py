"""One page of a list operation, shared by the backend and its mixins."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Page"]


@dataclass
class Page:
    """One page of a list operation: the items and the token of the next page (None on an empty page)."""

    items: list
    next_token: str | None
