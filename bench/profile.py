"""Sample a running API worker with py-spy and say where its CPU time goes, by component."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# Component of a frame, by the file it runs in (first match wins).
COMPONENTS = (
    ("graphql-core execution/validation", "/graphql/"),
    ("strawberry (fields, types, http)", "/strawberry/"),
    ("DataLoader / resolvers (graphql_api)", "/graphql_api/"),
    ("verdict core (figures, compiled reads)", "/verdict/"),
    ("Tortoise query building + models", "/tortoise/"),
    ("pypika SQL building", "/pypika"),
    ("asyncpg driver", "/asyncpg/"),
    ("JSON encoding (orjson/json)", "/json/"),
    ("JSON encoding (orjson/json)", "orjson"),
    ("starlette", "/starlette/"),
    ("ASGI server (uvicorn/granian)", "/uvicorn/"),
    ("ASGI server (uvicorn/granian)", "/granian/"),
    ("ASGI server (uvicorn/granian)", "/httptools/"),
    ("ASGI server (uvicorn/granian)", "/h11/"),
    ("asyncio event loop", "/asyncio/"),
)
NO_PYTHON_FRAME = "no Python frame (native code, or waiting)"
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]+)(?::\d+)?\)$")


def _component(frame: str) -> str | None:
    match = _FRAME.match(frame.strip())
    path = "/" + (match.group("file") if match else frame)  # py-spy names files package-relative
    for name, marker in COMPONENTS:
        if marker in path:
            return name
    return None


def summarise(raw: str) -> dict[str, float]:
    """Share of samples per component: each sample goes to the innermost frame that belongs to
    a known component (stdlib helpers count for their caller); a sample whose thread showed no
    Python frame at all (only py-spy's process lines) is counted apart; the rest is ``other``."""
    counts: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        samples = int(number)
        total += samples
        frames = stack.split(";")
        owner = next((c for f in reversed(frames) if (c := _component(f))), "other")
        if all(f.startswith("process ") for f in frames):  # the server's and the worker's
            owner = NO_PYTHON_FRAME
        counts[owner] += samples
    return {name: round(100 * n / total, 1) for name, n in counts.most_common()} if total else {}


def inclusive(raw: str, predicate: Callable[[str], bool]) -> float:
    """Share of samples with any frame matching ``predicate`` on the stack."""
    hit = total = 0
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        total += int(number)
        if any(predicate(f.replace(" (", " (/")) for f in stack.split(";")):
            hit += int(number)
    return round(100 * hit / total, 1) if total else 0.0


def record(pid: int, seconds: int, out: Path) -> str | None:
    """py-spy's collapsed stacks of ``pid`` (and its children) for ``seconds``; None when
    py-spy is unavailable or not allowed to attach."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        return None
    result = subprocess.run(
        [
            *(py_spy, "record", "--pid", str(pid), "--duration", str(seconds)),
            *("--rate", "250", "--nonblocking", "--subprocesses", "--format", "raw"),
            *("--output", str(out)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not out.exists():
        print(f"py-spy failed: {result.stderr[-500:]}", file=sys.stderr)
        return None
    return out.read_text()
