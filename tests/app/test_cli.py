"""The command line's own behaviour: help, unknown commands, opening the app without a screen."""

from __future__ import annotations

import pytest

from smart_interview.app.cli import build_parser, main
from smart_interview.app.commands.run_gui import _require_display
from smart_interview.app.errors import CliError


def test_every_listed_command_is_registered() -> None:
    parser = build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    assert choices is not None
    assert {"gui", "models", "transcribe", "devices", "live", "account", "cv", "dossier",
            "bench"} <= set(choices)


def test_bench_kinds_are_registered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    out = capsys.readouterr().out
    for kind in ("wer", "stream", "questions", "answers", "capture"):
        assert kind in out


def test_no_display_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, app_home: object,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["gui"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no graphical display" in err


@pytest.mark.parametrize(
    ("environ", "platform", "refused"),
    [({}, "linux", True), ({"DISPLAY": ":0"}, "linux", False),
     ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
     ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False), ({}, "win32", False),
     ({}, "darwin", False)],
)
def test_display_check(environ: dict[str, str], platform: str, refused: bool) -> None:
    if refused:
        with pytest.raises(CliError):
            _require_display(environ, platform)
    else:
        _require_display(environ, platform)
