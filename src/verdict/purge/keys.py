"""Surrogate keys: the names a cached GET answer carries, and a purge names.

One vocabulary for both sides, so the API's header and the purger cannot drift apart. Content
keys are the content version keys (``verdict.content_versions``): ``comparisons:3`` for one row,
``comparisons`` for a listing or a "not found" answer. Vote figures add ``tally:<slug>`` for
one comparison's tallies and ``tallies`` for an answer that may show (or be ordered by) any.
"""

from __future__ import annotations

from collections.abc import Iterable

from verdict.content_versions import ANY_CHANGE

TALLIES = "tallies"
"""An answer whose vote figures may be any comparison's (ordered by votes, say)."""


def tally_key(slug: str) -> str:
    return f"tally:{slug}"


def for_vote(slug: str) -> list[str]:
    """What a vote on ``slug`` purges: its tallies, and every answer that may show any."""
    return [tally_key(slug), TALLIES]


def for_content(version_keys: Iterable[str]) -> list[str]:
    """The surrogate keys of the content version keys a change bumped (``*`` is not one: it
    would purge every answer on every change)."""
    return sorted({k for k in version_keys if k != ANY_CHANGE and _valid(k)})


def for_answer(content: Iterable[str], vote_slugs: set[str] | None, *, votes: bool) -> list[str]:
    """The keys of one answer: the content it read, and the tallies it shows (``vote_slugs``
    None: possibly any comparison's; ``votes``: it shows or is ordered by vote figures)."""
    keys = set(for_content(content))
    if votes:
        if vote_slugs is None or not vote_slugs:
            keys.add(TALLIES)
        else:
            keys.update(tally_key(s) for s in vote_slugs if _valid(s))
    return sorted(keys)


def header_value(keys: Iterable[str], separator: str = " ") -> str:
    """The header form: space separated for Surrogate-Key and xkey, comma for Cache-Tag."""
    return separator.join(keys)


def _valid(key: str) -> bool:
    # Slugs come from the CMS: a space or comma would split one key into two in the header.
    return bool(key) and not any(c.isspace() or c == "," for c in key) and key.isprintable()
