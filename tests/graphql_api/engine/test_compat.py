"""The wall around library internals checks the versions it was written for, and its ranges are
the ones pyproject.toml declares (so an upgrade past them fails here and at import)."""

from __future__ import annotations

import importlib.metadata
import tomllib

import pytest
from packaging.requirements import Requirement

from graphql_api.engine import _compat
from verdict.settings import PROJECT_ROOT


def _declared() -> dict[str, Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    return {r.name: r for r in requirements}


@pytest.mark.parametrize("name", sorted(_compat.SUPPORTED))
def test_pyproject_bounds_are_the_supported_range(name: str) -> None:
    low, high = _compat.SUPPORTED[name]
    specifiers = {(s.operator, s.version) for s in _declared()[name].specifier}
    assert specifiers == {(">=", low), ("<", high)}


@pytest.mark.parametrize("name", sorted(_compat.SUPPORTED))
def test_the_installed_version_is_supported(name: str) -> None:
    assert importlib.metadata.version(name) in _declared()[name].specifier


@pytest.mark.parametrize(
    ("version", "supported"),
    [("0.341.2", True), ("0.327.2", True), ("0.342.0", False), ("0.327.1", False), ("1.0", False)],
)
def test_a_version_outside_the_range_fails_loudly(version: str, supported: bool) -> None:
    ranges = {"strawberry-graphql": ("0.327.2", "0.342")}
    if supported:
        _compat.check_versions(lambda _: version, ranges)
        return
    with pytest.raises(_compat.UnsupportedVersionError, match=rf"strawberry-graphql {version}"):
        _compat.check_versions(lambda _: version, ranges)


def test_a_pre_release_counts_as_its_release() -> None:
    ranges = {"graphql-core": ("3.3.2", "3.4")}
    _compat.check_versions(lambda _: "3.3.2rc1", ranges)
    with pytest.raises(_compat.UnsupportedVersionError):
        _compat.check_versions(lambda _: "3.4.0a1", ranges)
