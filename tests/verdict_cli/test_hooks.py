"""`verdict hooks add|list|remove` on a real (SQLite) database, through the installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VERDICT = Path(sys.executable).with_name("verdict")


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'hooks.sqlite3'}"}
    return subprocess.run(
        [str(VERDICT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_add_list_remove(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    added = run(tmp_path, "hooks", "add", "next", "http://127.0.0.1:3000/api/revalidate")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("VERDICT_HOOK_SECRET=")  # generated, shown once
    custom = run(
        tmp_path,
        "hooks",
        "add",
        "astro",
        "https://site.test/hook",
        "--secret",
        "s3cret",
        "--content",
        "tools=/tools/{slug},/tools",
    )
    assert custom.returncode == 0
    assert custom.stdout == ""
    listed = run(tmp_path, "hooks", "list").stdout.splitlines()
    assert listed[0].split("\t")[:3] == [
        "astro",
        "https://site.test/hook",
        "tools=/tools/{slug},/tools",
    ]
    assert listed[1].startswith("next\thttp://127.0.0.1:3000/api/revalidate\tcomparisons=")
    assert "pending=0 failed=0" in listed[1]
    assert run(tmp_path, "hooks", "remove", "astro").returncode == 0
    assert [line.split("\t")[0] for line in run(tmp_path, "hooks", "list").stdout.splitlines()] == [
        "next"
    ]


def test_bad_input_is_refused_clearly(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    bad_url = run(tmp_path, "hooks", "add", "x", "ftp://site.test/")
    assert bad_url.returncode == 2
    assert "http(s) URL" in bad_url.stderr
    bad_content = run(tmp_path, "hooks", "add", "x", "http://a.test/", "--content", "reviews")
    assert bad_content.returncode == 2
    assert "unknown content 'reviews'" in bad_content.stderr
    assert run(tmp_path, "hooks", "add", "x", "http://a.test/").returncode == 0
    again = run(tmp_path, "hooks", "add", "x", "http://a.test/")
    assert again.returncode == 2
    assert "exists" in again.stderr
    missing = run(tmp_path, "hooks", "remove", "nope")
    assert missing.returncode == 1
    assert "no hook named 'nope'" in missing.stderr
