"""Declared bounds of the content's lists: the sync enforces them, the API's cost estimate
counts on them (``graphql_api.limits.analysis``), so the estimate is an upper bound for any data.

Content bounds are enforced where content enters: the sync quarantines an entry that would break
one (reason code ``over_limit``), so the database never holds more. API caps are enforced by the
resolver of a list that is no figure's input (a listing, never a count).
"""

from __future__ import annotations

from typing import Final

MAX_COMPARISON_SIDES: Final = 4
"""Sides a comparison may have (content bound: the sync quarantines a fifth side entry)."""
MAX_TOOL_REVIEWS: Final = 12
"""Panel reviews a tool may have, published or draft (content bound: the sync quarantines the
13th; an archived review is shown nowhere and does not count)."""
MAX_MODEL_SIZES: Final = 12
"""Items of a tool's ``model_sizes`` (content bound: a longer list quarantines the tool entry)."""
MAX_REVIEWER_SPLIT: Final = MAX_COMPARISON_SIDES * MAX_TOOL_REVIEWS
"""Rows of a comparison's reviewer split: one per reviewer with a review of a side's tool, so at
most every review of every side (derived, nothing to enforce)."""
MAX_TOOL_COMPARISONS: Final = 50
"""Comparisons ``Tool.comparisons`` lists, newest first (API cap: a listing, no figure)."""
MAX_REVIEWER_REVIEWS: Final = 50
"""Reviews ``Reviewer.reviews`` lists, newest first (API cap: a listing, no figure; a reviewer
may review any number of tools, so the content cannot bound it)."""
