"""Plain rows the loaders read with ``.values()``: cheaper than model instances, and typed.

Each ``*_FIELDS`` tuple lists the columns a row needs; ``prefix`` reads the same columns through
a join (``sides__tool__name``), so one query can return a row and its relations.

Tool rows are interned: reading the same columns again gives the same ``ToolRow`` object (while
it is remembered: an LRU bounded by bytes and entries, ``TOOLS_REMEMBERED*``, like the API's
other in-process caches), so what is built from a tool row can be kept with it
(``ToolType.from_row``). A front page shows the same ~45 tools request after
request; building each one's row and type afresh was a tenth of a listing's Python time.
Rows are read-only (``row``), so sharing one between requests is safe.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, dataclass_transform

from graphql_api.caching.budget import ByteLRU
from verdict.figures import counted_panel, panel_counts

_Row = TypeVar("_Row")

LENS_ORDER = ("developer_experience", "competition", "thesis", "business")

TOOL_FIELDS = (
    "id",
    "slug",
    "name",
    "vendor",
    "tagline",
    "description",
    "category",
    "pricing_entry",
    "license",
    "open_weights",
    "model_sizes",
    "website",
    "logo_url",
)
"""A tool's columns the API answers from (its ``cms_updated_at`` only orders lists, in SQL)."""
REVIEWER_FIELDS = ("id", "slug", "name", "lens", "bio")
REVIEW_FIELDS = ("id", "tool_id", "reviewer_id", "verdict", "quote", "published_at")
COMPARISON_FIELDS = (
    "id",
    "slug",
    "title",
    "headline",
    "summary",
    "pricing_read",
    "voting_open",
    "published_at",
    "cms_updated_at",
)


@dataclass_transform(frozen_default=True)
def row(cls: type[_Row]) -> type[_Row]:
    """A row class: read-only to the type checker, a plain slotted dataclass at run time (a
    frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, five times
    slower, and a listing page builds ~600 rows)."""
    return dataclass(slots=True)(cls)


def _text(value: Any) -> str:
    """Enum columns come back as enum members from ``.values()``; rows hold their plain value."""
    return str(getattr(value, "value", value))


class PanelCounts(NamedTuple):
    """How many of a tool's published panel reviews say ship, and skip."""

    ship: int
    skip: int

    @property
    def total(self) -> int:
        return self.ship + self.skip

    @classmethod
    def of_reviews(cls, reviews: list[ReviewRow]) -> PanelCounts:
        """Counted from the review rows themselves."""
        return cls(*panel_counts(r.verdict for r in reviews))

    @classmethod
    def by_tool(cls, rows: list[dict[str, Any]]) -> dict[str, PanelCounts]:
        """From rows of ``tool_id``, ``verdict`` and the ``reviews`` counted for that pair."""
        found: dict[str, list[tuple[str, int]]] = {}
        for r in rows:
            found.setdefault(r["tool_id"], []).append((_text(r["verdict"]), int(r["reviews"])))
        return {tool: cls(*counted_panel(counted)) for tool, counted in found.items()}


NO_REVIEWS = PanelCounts(0, 0)


@row
class ToolRow:
    id: str
    slug: str
    name: str
    vendor: str
    tagline: str
    description: str | None
    category: str
    pricing_entry: str
    license: str | None
    open_weights: bool
    model_sizes: tuple[str, ...]
    website: str | None
    logo_url: str | None

    @classmethod
    def read(cls, values: Mapping[str, Any], prefix: str = "") -> ToolRow:
        """The tool in ``values`` (its columns under ``prefix``): the same object as the last
        read of the same values, while it is remembered (see the module docstring)."""
        # Positionally, in TOOL_FIELDS order (the fields' order): a listing reads ~45 tools,
        # and building each key and passing it by name cost half of it.
        raw = _prefixed_tool_fields(prefix)(values)
        remembered = _TOOLS.get(raw[0])
        # Equal columns make an equal row: text equals only text, and a remembered tool's
        # sizes are None or a list of text, so a value equal to them is too (1 == 1.0, or two
        # equal dicts listing their keys in different orders, never arise).
        if remembered is not None and remembered[0] == raw:
            return remembered[1]
        row = list(raw)
        sizes = row[_MODEL_SIZES]
        row[_OPEN_WEIGHTS] = bool(row[_OPEN_WEIGHTS])
        row[_MODEL_SIZES] = tuple(map(str, sizes or ()))
        made = cls(*row)
        if sizes is None:
            _TOOLS.put(raw[0], (raw, made), tool_row_bytes(made))
        elif type(sizes) is list and all(type(size) is str for size in sizes):
            # the columns with a copy of the list: what later reads are compared with
            kept = (*raw[:_MODEL_SIZES], list(sizes), *raw[_MODEL_SIZES + 1 :])
            _TOOLS.put(raw[0], (kept, made), tool_row_bytes(made))
        return made


_OPEN_WEIGHTS = TOOL_FIELDS.index("open_weights")
_MODEL_SIZES = TOOL_FIELDS.index("model_sizes")


TOOLS_REMEMBERED = 4096
TOOLS_REMEMBERED_BYTES = 16 * 1024 * 1024
"""The bounds of a per-process memo of tool rows (or of what is built from them): at most this
many tools and this many bytes of their text (``tool_row_bytes``), least recently used first."""


def tool_row_bytes(row: ToolRow) -> int:
    """About what remembering a tool row costs: its text, and ~100 bytes a column for the string
    objects and the slots that hold them (the columns kept to compare with, and the type built
    from the row, share its strings)."""
    values = [getattr(row, field) for field in TOOL_FIELDS]
    text = sum(len(value) for value in values if type(value) is str)
    return text + sum(map(len, row.model_sizes)) + 100 * len(TOOL_FIELDS)


_TOOLS: ByteLRU[Any, tuple[tuple[Any, ...], ToolRow]] = ByteLRU(
    TOOLS_REMEMBERED_BYTES, TOOLS_REMEMBERED
)
"""Per tool id: the columns last read and the row made of them."""


@functools.cache
def _prefixed_tool_fields(prefix: str) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The tool's columns of a row, in TOOL_FIELDS order, read in one call."""
    return operator.itemgetter(*(prefix + field for field in TOOL_FIELDS))


@row
class ReviewerRow:
    id: str
    slug: str
    name: str
    lens: str
    bio: str | None

    @property
    def panel_order(self) -> tuple[int, str, str]:
        """Panel order: by lens (developer experience first), then name, then id."""
        return (LENS_ORDER.index(self.lens), self.name, self.id)

    @classmethod
    def read(cls, values: Mapping[str, Any], prefix: str = "") -> ReviewerRow:
        return cls(
            id=values[prefix + "id"],
            slug=values[prefix + "slug"],
            name=values[prefix + "name"],
            lens=_text(values[prefix + "lens"]),
            bio=values[prefix + "bio"],
        )


@row
class ReviewRow:
    id: str
    tool_id: str
    reviewer_id: str
    verdict: str
    quote: str
    published_at: datetime | None
    reviewer: ReviewerRow
    tool: ToolRow | None = None

    @classmethod
    def read(
        cls, values: Mapping[str, Any], reviewer: ReviewerRow, tool: ToolRow | None = None
    ) -> ReviewRow:
        return cls(
            id=values["id"],
            tool_id=values["tool_id"],
            reviewer_id=values["reviewer_id"],
            verdict=_text(values["verdict"]),
            quote=values["quote"],
            published_at=values["published_at"],
            reviewer=reviewer,
            tool=tool,
        )


@row
class ComparisonRow:
    id: str
    slug: str
    title: str
    headline: str
    summary: str | None
    pricing_read: str | None
    voting_open: bool
    published_at: datetime | None
    cms_updated_at: datetime

    @classmethod
    def read(cls, values: Mapping[str, Any]) -> ComparisonRow:
        return cls(
            id=values["id"],
            slug=values["slug"],
            title=values["title"],
            headline=values["headline"],
            summary=values["summary"],
            pricing_read=values["pricing_read"],
            voting_open=bool(values["voting_open"]),
            published_at=values["published_at"],
            cms_updated_at=values["cms_updated_at"],
        )


@row
class SideRow:
    """One side of a comparison, with its (published) tool read in the same query."""

    id: str
    comparison_id: str
    position: int
    tool: ToolRow
