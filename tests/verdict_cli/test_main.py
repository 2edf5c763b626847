"""The `verdict` command: every command is registered, and bad configuration is one line, exit 2."""

from __future__ import annotations

import pytest

from verdict_cli.main import build_parser, main

COMMANDS = {
    "demo", "serve", "sync", "cms", "digest", "hooks", "votes", "feed", "recount",
    "preview-token", "migrate",
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_registered(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([command, "--help"])
    assert done.value.code == 0
    assert f"verdict {command}" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["nope"])
    assert done.value.code == 2


def test_a_configuration_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("verdict: configuration error:")
    assert "\n" not in err
