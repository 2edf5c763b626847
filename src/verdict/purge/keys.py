"""Surrogate keys: the names a cached GET answer carries, and a purge names.

One vocabulary for both sides, so the API's header and the purger cannot drift apart. Content
keys are the content version keys (``verdict.content_versions``): ``comparisons:3`` for one row,
``comparisons`` for a listing or a "not found" answer. Vote figures add ``tally:<slug>`` for
one comparison's tallies and ``tallies`` for an answer that may show (or be ordered by) any.
"""

from __future__ import annotations

import hashlib
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
    found = (surrogate(k) for k in version_keys if k != ANY_CHANGE)
    return sorted({k for k in found if k is not None})


def surrogate(version_key: str) -> str | None:
    """A content version key as a header can carry it. Ids are the CMS's own text, so one may
    hold a space, a comma or non-ASCII letters: such a row's key names a digest of its id
    (``tools:~<sha256 prefix>``), the same on the answer and on the purge."""
    if _valid(version_key):
        return version_key
    collection, colon, row_id = version_key.partition(":")
    if colon and row_id and _valid(collection):
        return f"{collection}:~{hashlib.sha256(row_id.encode()).hexdigest()[:24]}"
    return None


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
    # Header values are Latin-1 at most: non-ASCII keys are left out (or digested, above).
    return (
        bool(key)
        and key.isascii()
        and not any(c.isspace() or c == "," for c in key)
        and key.isprintable()
    )
