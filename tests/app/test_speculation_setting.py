"""`answers.speculate` / `--speculate`: auto is on for a model server of the user's own and
off for paid cloud providers; on and off are obeyed everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from smart_interview.app import answer_wiring
from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.errors import AppError
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

DESTINATIONS = {
    "loopback server": ("openai_compatible", "http://127.0.0.1:11434/v1", True),
    "private-network server": ("openai_compatible", "https://192.168.1.20:8080/v1", True),
    "remote server": ("openai_compatible", "https://llm.example.com/v1", False),
    "OpenAI": ("openai", "", False),
    "Anthropic": ("anthropic", "", False),
}


@pytest.mark.parametrize("name", DESTINATIONS)
@pytest.mark.parametrize("choice", ["auto", "on", "off"])
def test_the_choice_against_each_destination(name: str, choice: str) -> None:
    provider, base_url, local = DESTINATIONS[name]
    settings = Settings()
    settings.answers.speculate = choice
    where = answer_wiring.destination(provider, base_url)
    expected = {"auto": local, "on": True, "off": False}[choice]
    assert answer_wiring.speculation_enabled(settings, where) is expected
    # the command line's choice wins over the settings
    other = "off" if choice == "on" else "on"
    assert answer_wiring.speculation_enabled(settings, where, choice=other) is (other == "on")


def test_without_answers_nothing_is_asked_early() -> None:
    settings = Settings()
    settings.answers.speculate = "on"
    assert answer_wiring.destination("none", "") is None
    assert answer_wiring.speculation_enabled(settings, None) is False


def test_an_unknown_choice_names_the_setting() -> None:
    settings = Settings()
    settings.answers.speculate = "sometimes"
    with pytest.raises(AppError, match="Answer early"):
        answer_wiring.speculation_enabled(settings, answer_wiring.destination("openai", ""))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    answer_wiring.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize(("argv", "setting", "expected"), [
    ((), "auto", True), (("--speculate", "off"), "auto", False),
    ((), "off", False), (("--speculate", "on"), "off", True)])
def test_the_pipeline_built_for_a_local_server_follows_flag_and_setting(
        tmp_path: Path, argv: tuple[str, ...], setting: str, expected: bool) -> None:
    settings = Settings()
    settings.answers.speculate = setting
    with LlmServer() as server:
        args = parse("--provider", "openai_compatible", "--base-url", server.openai_base_url,
                     *argv)
        pipeline: Any = answer_wiring.build(
            options=answer_wiring.options_from_args(args), settings=settings,
            paths=AppPaths.under(tmp_path), clock=lambda: 0.0)
        try:
            assert pipeline.speculating is expected
        finally:
            pipeline.close()


def test_the_flag_rejects_unknown_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--speculate", "maybe")
    assert "--speculate" in capsys.readouterr().err
