"""The `comparisons` listing's read: a page of comparisons with everything its figures need,
and the content versions its count depends on, in one compiled statement.

The listing used to send five statements: the page (built by Tortoise per request), the sides
with their tools, the panel's counts (a ``GROUP BY`` over ~530 reviews), the vote tallies and
the versions behind the cached ``totalCount``. Here the page is a subquery
(``id IN (SELECT id ... ORDER BY ... LIMIT)``) that the outer query joins with the sides, their
tools and, for the public, the tools' panel figures the sync keeps (``verdict.panels``), ordered
the same way; each side's tally (when vote figures are selected) and the versions are scalar
subqueries of the same statement, so the page and the versions its cached count is checked
against (``CountCache.count_at``) come from one snapshot. The statement is compiled per shape
(``graphql_api.engine.statements``): statuses, which filters, order, the page's offset and size,
and whether it reads tallies, so the front page costs its SQL once per process. The shape's
values are written into the SQL (``inline``), so PostgreSQL plans the front page's statement once
per connection instead of on every request; the filter's values, which the request brings, are
bound as the statement's keys.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from tortoise.expressions import RawSQL, Subquery
from tortoise.queryset import QuerySet, ValuesQuery

from graphql_api.comparisons.figures import Needs
from graphql_api.comparisons.inputs import ComparisonFilter, ComparisonOrder
from graphql_api.engine.statements import Statement
from graphql_api.loaders import Loaders
from graphql_api.reads import PUBLIC, visible
from graphql_api.rows import (
    COMPARISON_FIELDS,
    TOOL_FIELDS,
    ComparisonRow,
    PanelCounts,
    SideRow,
    ToolRow,
)
from verdict import content_versions
from verdict.models.content import Comparison, ComparisonSide, Status
from verdict.models.versions import ContentVersion

if TYPE_CHECKING:
    from graphql_api.comparisons.types import ComparisonType

# Tallies are keyed by slug (no foreign key, see verdict.models.votes), so the total is a
# correlated subquery rather than a join.
TOTAL_VOTES = RawSQL(
    '(SELECT COALESCE(SUM("vote_tally"."count"), 0) FROM "vote_tally" '
    'WHERE "vote_tally"."comparison_slug" = "comparison"."slug")'
)
NEWEST = ("-published_at", "-id")
_SIDE = (
    "sides__id",
    "sides__position",
    "sides__tool__status",
    *(f"sides__tool__{f}" for f in TOOL_FIELDS),
)
_TOOL = "sides__tool__"
_TOOL_STATUS = _TOOL + "status"
_SIDE_ORDER = attrgetter("position", "id")
"""A comparison's sides in display order (by position, then id)."""
# verdict.models.panels: published reviews by published reviewers, so for the public only (a
# preview counts drafts too, per request: graphql_api.loaders.panel_counts_by_tool).
_SHIP, _SKIP = "sides__tool__panel__ship", "sides__tool__panel__skip"
_PANEL = (_SHIP, _SKIP)
# A side's community votes, when the figures need them. Tallies are keyed by slugs (no foreign
# key), so a correlated subquery on the (comparison_slug, tool_slug) unique index. It names the
# join alias Tortoise gives the sides' tools ("comparison_side__tool"): tests/graphql_api/
# comparisons/test_listing.py runs it on SQLite and PostgreSQL and checks every side's votes.
_VOTES = "side_votes"
_SIDE_VOTES = RawSQL(
    '(SELECT "vote_tally"."count" FROM "vote_tally" '
    'WHERE "vote_tally"."comparison_slug" = "comparison"."slug" '
    'AND "vote_tally"."tool_slug" = "comparison_side__tool"."slug")'
)
# What the count of a listing reads: comparisons, and for a tool filter their sides and tools
# (deleting a tool or comparison cascades to sides, and bumps the tool's or comparison's key).
_UNFILTERED = ("comparisons",)
_FILTERED = ("comparisons", "comparison_sides", "tools")


@dataclass(frozen=True, slots=True)
class Shape:
    """Everything that selects a listing page (the statement is compiled per shape)."""

    statuses: frozenset[Status]
    tool_slug: str | None
    category: str | None
    order: ComparisonOrder
    offset: int
    limit: int
    """Rows asked for: the page's size plus one, to know whether another page follows."""
    tallies: bool = False
    """Read every side's community votes too (only when selected: a response that shows votes
    is never cached)."""

    @classmethod
    def of(
        cls,
        statuses: frozenset[Status],
        filter: ComparisonFilter | None,
        order: ComparisonOrder,
        offset: int,
        limit: int,
        *,
        tallies: bool = False,
    ) -> Shape:
        return cls(
            statuses,
            filter.tool_slug if filter is not None else None,
            filter.category if filter is not None else None,
            order,
            offset,
            limit,
            tallies,
        )

    @property
    def keys(self) -> tuple[list[str], ...]:
        """The filter's values (tool slug, then category, those given), bound as the
        statement's keys: a request's own text is never written into SQL."""
        return tuple([value] for value in (self.tool_slug, self.category) if value is not None)

    @property
    def compiled(self) -> Shape:
        """The shape the statement is compiled for: the same, with each filter value given
        replaced by a mark (``keys`` binds the values)."""
        if self.tool_slug is None and self.category is None:
            return self
        return replace(
            self,
            tool_slug=None if self.tool_slug is None else BOUND,
            category=None if self.category is None else BOUND,
        )

    def with_keys(self, keys: tuple[list[str], ...]) -> Shape:
        """This shape with the filter values ``keys`` holds (as ``keys`` gives them)."""
        if not keys:
            return self
        values = iter(key for (key,) in keys)
        return replace(
            self,
            tool_slug=None if self.tool_slug is None else next(values),
            category=None if self.category is None else next(values),
        )

    @property
    def count_key(self) -> Hashable:
        """The count cache key (order and page do not change the count)."""
        return ("comparisons", self.statuses, self.tool_slug, self.category)

    @property
    def depends_on(self) -> tuple[str, ...]:
        """The content version keys the count depends on."""
        if self.tool_slug is None and self.category is None:
            return _UNFILTERED
        return _FILTERED


def selected(shape: Shape) -> QuerySet[Comparison]:
    """Every comparison the listing holds, on any page (what ``totalCount`` counts)."""
    query = Comparison.filter(**visible(shape.statuses))
    if shape.tool_slug is None and shape.category is None:
        return query
    sides = ComparisonSide.filter(**visible(shape.statuses, "tool__status"))
    if shape.tool_slug is not None:
        sides = sides.filter(tool__slug=shape.tool_slug)
    if shape.category is not None:
        sides = sides.filter(tool__category=shape.category)
    return query.filter(id__in=Subquery(sides.values("comparison_id")))


def _ordered(query: QuerySet[Comparison], order: ComparisonOrder) -> QuerySet[Comparison]:
    if order is ComparisonOrder.MOST_VOTED:
        return query.annotate(total_votes=TOTAL_VOTES).order_by("-total_votes", *NEWEST)
    return query.order_by(*NEWEST)


def _version_column(index: int) -> str:
    return f"version_{index}"


def build(shape: Shape, *keys: list[str]) -> ValuesQuery[Any]:
    """The page's comparisons (ordered as the list is), each joined with its sides and their
    tools (for the public, with the tools' panel figures the sync keeps), and the count's
    content versions as columns of every row. ``keys``, when given, hold the filter's values
    (``Shape.keys``, for a ``Shape.compiled``)."""
    shape = shape.with_keys(keys)
    page = _ordered(selected(shape), shape.order).offset(shape.offset).limit(shape.limit)
    query = _ordered(Comparison.filter(id__in=Subquery(page.values("id"))), shape.order)
    versions = {
        _version_column(index): Subquery(ContentVersion.filter(key=key).values("version"))
        for index, key in enumerate(shape.depends_on)
    }
    panel = _PANEL if shape.statuses == PUBLIC else ()
    votes = {_VOTES: _SIDE_VOTES} if shape.tallies else {}
    return query.annotate(**versions, **votes).values(
        *COMPARISON_FIELDS, *_SIDE, *panel, *votes, *versions
    )


BOUND = "(bound as a key)"
"""What a compiled shape holds in place of a filter value (never read: ``build`` takes the
value from the keys)."""

LISTINGS_REMEMBERED_BYTES = 32 * 1024 * 1024
"""About how many bytes of listing statements' answers, and of the pages and comparisons built
from them, a process keeps (``Statement`` with ``remember_bytes``; ``read_page``)."""
ASSEMBLED_PER_PAGE = 4
"""Selections whose comparisons a remembered page keeps (``Page.keep``): a front page is asked
for with one or two."""

LISTING = Statement(Comparison, build, inline=True, remember_bytes=LISTINGS_REMEMBERED_BYTES)


@dataclass(frozen=True, slots=True)
class Page:
    """A listing page's comparisons, in order, and the versions read with them."""

    rows: list[ComparisonRow]
    sides: list[list[SideRow]]
    """Each comparison's visible sides, in display order."""
    counts: dict[str, PanelCounts] | None
    """The panel's counts per tool of these sides, read with them (the public only)."""
    tallies: list[dict[str, int]] | None
    """Each comparison's community votes per tool slug of its sides (``Shape.tallies``)."""
    versions: tuple[str, ...] | None
    """The count's content versions at the page's snapshot; None when no row was read."""
    deps: tuple[str, ...] = ()
    """What reading the page records for the response cache (as the sides loader would)."""
    assembled: dict[Needs, list[ComparisonType]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """The comparisons built from this page's rows alone, per selection (``keep``)."""

    def keep(self, needs: Needs, comparisons: list[ComparisonType]) -> None:
        """Keep ``comparisons``, built from this page alone for ``needs``, with the page: the
        next request that reads the same rows answers with them (``ASSEMBLED_PER_PAGE`` at
        most). They are shared from then on: read-only, as every type the API answers is."""
        if len(self.assembled) < ASSEMBLED_PER_PAGE:
            self.assembled[needs] = comparisons


async def read_page(loaders: Loaders, shape: Shape) -> Page:
    """The page's comparisons (``shape.limit`` at most) with their sides; ``loaders`` records
    what was read, for the response cache.

    The statement runs every time. When it answers the same rows as last time (the same
    ``Answer``, see ``graphql_api.engine.statements``), the page read from them then is answered
    again, with the comparisons assembled from it (``Page.keep``): the front page is asked for
    again and again, and between two changes of its content or its votes, reading and
    assembling the same rows again was half of its Python time."""
    answer = await LISTING.read(shape.compiled, *shape.keys)
    page = answer.kept.get(shape)
    if not isinstance(page, Page):
        page = _read(answer.rows, shape)
        answer.keep(shape, page)
    loaders.deps.update(page.deps)
    if shape.tallies:  # what the tallies loader records: votes change too often to cache
        loaders.live = True
        if loaders.vote_slugs is not None:
            loaders.vote_slugs.update([row.slug for row in page.rows])
    return page


def _read(rows: list[dict[str, Any]], shape: Shape) -> Page:
    """The page the statement's ``rows`` hold."""
    statuses = shape.statuses
    read_tallies = shape.tallies
    found: dict[str, ComparisonRow] = {}
    sides: dict[str, list[SideRow]] = {}
    counts: dict[str, PanelCounts] | None = {} if statuses == PUBLIC else None
    tallies: dict[str, dict[str, int]] = {}
    group: list[SideRow] = []
    tally: dict[str, int] = {}
    last = None
    for r in rows:
        comparison_id = r["id"]
        if comparison_id != last:  # rows come grouped by comparison (ordered by the page)
            last = comparison_id
            if comparison_id in sides:
                group, tally = sides[comparison_id], tallies[comparison_id]
            else:
                found[comparison_id] = ComparisonRow.read(r)
                group = sides[comparison_id] = []
                tally = tallies[comparison_id] = {}
        side_id = r["sides__id"]
        if side_id is not None and r[_TOOL_STATUS] in statuses:
            tool = ToolRow.read(r, _TOOL)
            if read_tallies and r[_VOTES] is not None:
                tally[tool.slug] = int(r[_VOTES])
            group.append(SideRow(side_id, comparison_id, r["sides__position"], tool))
            if counts is not None:  # a tool with no row has no published review
                counts[tool.id] = PanelCounts(r[_SHIP] or 0, r[_SKIP] or 0)
    deps: list[str] = []
    for comparison_id, group in sides.items():
        if len(group) > 1:
            group.sort(key=_SIDE_ORDER)
        # What the sides loader records for the comparisons it reads.
        deps.append(f"comparisons:{comparison_id}")
        deps.extend([f"tools:{side.tool.id}" for side in group])
    versions = None
    if rows:
        first = rows[0]
        versions = tuple(
            content_versions.MISSING if value is None else str(value)
            for value in (first[_version_column(i)] for i in range(len(shape.depends_on)))
        )
    return Page(
        list(found.values()),
        list(sides.values()),
        counts,
        list(tallies.values()) if read_tallies else None,
        versions,
        deps=tuple(dict.fromkeys(deps)),
    )
