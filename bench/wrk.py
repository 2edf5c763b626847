"""Drive an HTTP endpoint with wrk and read its figures (requests/s, p50, p99, errors).

Request bodies and URLs vary per request through small Lua scripts: each wrk thread reads its
own slice of a lines file (slugs, or voter tokens with a vote), so no request repeats a hot row
and no voter votes twice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

CONNECTIONS = 32
THREADS = 2

# Lua: a request per line of LINES_FILE, this thread's lines only; the body or path is built by
# the `make(line)` function each mode defines below.
_PRELUDE = """
local lines = {}
local counter = 0
local thread_id = 0
local threads = %(threads)d
local all_threads = {}
function setup(thread)
  thread:set("tid", setup_count or 0)
  setup_count = (setup_count or 0) + 1
  table.insert(all_threads, thread)
end
function init(args)
  thread_id = tonumber(wrk.thread:get("tid")) or 0
  local i = 0
  for line in io.lines("%(lines)s") do
    if i %% threads == thread_id then lines[#lines + 1] = line end
    i = i + 1
  end
  if #lines == 0 then
    for line in io.lines("%(lines)s") do lines[#lines + 1] = line end
  end
end
function next_line()
  counter = counter + 1
  if counter > #lines then counter = 1 end
  return lines[counter]
end
-- A 200 that carries GraphQL errors (a persisted query the server does not know, say) is a
-- failed request, not a fast one: count the bodies that hold an errors member.
-- Answers served by the API's edge cache are counted too (the x-verdict-cache header).
graphql_errors = 0
edge_hits = 0
function response(status, headers, body)
  if body ~= nil and string.find(body, '"errors":', 1, true) then
    graphql_errors = graphql_errors + 1
  end
  if (headers["x-verdict-cache"] or headers["X-Verdict-Cache"]) == "edge" then
    edge_hits = edge_hits + 1
  end
end
function done(summary, latency, requests)
  local total, hits = 0, 0
  for _, thread in ipairs(all_threads) do
    total = total + (thread:get("graphql_errors") or 0)
    hits = hits + (thread:get("edge_hits") or 0)
  end
  io.write(string.format("GraphQL error responses: %%d\\n", total))
  io.write(string.format("Edge cache hits: %%d\\n", hits))
end
"""

_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(headers)s
local prefix = %(prefix)s
local suffix = %(suffix)s
function request()
  return wrk.format(nil, nil, nil, prefix .. next_line() .. suffix)
end
"""

_GET = """
%(headers)s
local prefix = %(prefix)s
local suffix = %(suffix)s
function request()
  return wrk.format("GET", prefix .. next_line() .. suffix)
end
"""

# castVote: each line is "<voter token> <comparison slug> <tool slug>".
_VOTE = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local prefix = %(prefix)s
function request()
  local token, comparison, tool = next_line():match("(%%S+) (%%S+) (%%S+)")
  local body = prefix .. '{"comparisonSlug":"' .. comparison .. '","toolSlug":"' .. tool .. '"}}}'
  return wrk.format(nil, nil, {["Content-Type"] = "application/json",
                               ["X-Verdict-Voter"] = token}, body)
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _headers(headers: dict[str, str]) -> str:
    return "\n".join(
        f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()
    )


@dataclass(frozen=True)
class Load:
    """How to build each request: a POST body or a GET path around one varying line."""

    kind: str  # "post", "get" or "vote"
    lines: list[str]
    prefix: str = ""
    suffix: str = ""
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int
    graphql_errors: int = 0
    """Responses (any status) whose body held a GraphQL ``errors`` member."""
    edge_hits: int = 0
    """Responses the API answered from its edge cache (``x-verdict-cache: edge``)."""

    @property
    def edge_hit_ratio(self) -> float:
        return self.edge_hits / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def ensure_wrk() -> str:
    """The wrk binary; installs the Debian package when it is missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and `apt-get install -y wrk` failed")
    return found


def _script(load: Load, lines_path: Path) -> str:
    lua = _PRELUDE % {"threads": THREADS, "lines": lines_path}
    values = {
        "prefix": _lua_string(load.prefix),
        "suffix": _lua_string(load.suffix),
        "headers": _headers(load.headers or {}),
    }
    template = {"post": _POST, "get": _GET, "vote": _VOTE}[load.kind]
    return lua + template % values


def _write(folder: Path, name: str, load: Load, lines: list[str]) -> Path:
    lines_path = folder / f"{name}.txt"
    lines_path.write_text("\n".join(lines) + "\n")
    script = folder / f"{name}.lua"
    script.write_text(_script(load, lines_path))
    return script


def prime(url: str, load: Load, *, target: float, step: float, limit: float) -> tuple[float, float]:
    """Fill the API's edge cache: run ``load`` in ``step``-second rounds until the share of edge
    hits in a round reaches ``target`` (every URL on every worker), for at most ``limit``
    seconds. Returns the seconds spent and the last round's hit ratio."""
    spent, ratio = 0.0, 0.0
    while spent < limit and ratio < target:
        ratio = run(url, load, step).edge_hit_ratio
        spent += step
    return spent, ratio


def run(url: str, load: Load, seconds: float, *, warmup: float = 0.0) -> WrkResult:
    """Run wrk (after an optional warm-up run of its own) and return the measured figures."""
    wrk = ensure_wrk()
    lines, warmup_lines = load.lines, load.lines
    if load.kind == "vote":  # a voter votes once: the warm-up gets voters of its own
        cut = len(lines) * 3 // 4
        lines, warmup_lines = lines[:cut], lines[cut:]
    with tempfile.TemporaryDirectory(prefix="verdict-wrk-") as tmp:
        command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", "--latency", "--timeout", "10s"]
        if warmup > 0:
            script = _write(Path(tmp), "warmup", load, warmup_lines)
            subprocess.run(
                [*command, "-s", str(script), f"-d{warmup:g}s", url],
                check=True,
                capture_output=True,
            )
        script = _write(Path(tmp), "measure", load, lines)
        out = subprocess.run(
            [*command, "-s", str(script), f"-d{seconds:g}s", url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return parse(out)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(output: str) -> WrkResult:
    """Read wrk's ``--latency`` report."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if rps is None or total is None or set(percentiles) != {"50", "99"}:
        raise ValueError(f"cannot read wrk's output:\n{output}")
    errors = 0
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        errors = sum(int(g) for g in socket.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    graphql_errors = re.search(r"^GraphQL error responses: (\d+)", output, re.MULTILINE)
    edge_hits = re.search(r"^Edge cache hits: (\d+)", output, re.MULTILINE)
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(total.group(1)),
        errors=errors,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        graphql_errors=int(graphql_errors.group(1)) if graphql_errors else 0,
        edge_hits=int(edge_hits.group(1)) if edge_hits else 0,
    )
