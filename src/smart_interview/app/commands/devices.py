"""`smart-interview devices [--json]`: inputs, outputs and system-audio (loopback) candidates
per host API, defaults marked with `*`."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "devices", help="list microphones, outputs and system-audio capture candidates")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from smart_interview.audio.devices import list_devices, loopback_candidates
    from smart_interview.audio.errors import AudioError

    try:
        devices = list_devices()
    except AudioError as exc:
        raise CliError(str(exc)) from exc
    loopback_error = ""
    try:
        candidates = loopback_candidates()
    except AudioError as exc:
        candidates, loopback_error = [], str(exc)
    if args.json:
        print(json.dumps({"devices": [asdict(d) for d in devices],
                          "loopback": [asdict(c) for c in candidates],
                          "loopback_error": loopback_error or None}, indent=2))
        return 0
    apis: dict[str, list[Any]] = {}
    for device in devices:
        apis.setdefault(device.host_api, []).append(device)
    for api, members in apis.items():
        print(f"{api}")
        for title, kind in (("inputs (microphones)", "input"), ("outputs", "output")):
            print(f"  {title}:")
            rows = [d for d in members
                    if (d.max_input_channels if kind == "input" else d.max_output_channels) > 0]
            for d in rows:
                default = d.is_default_input if kind == "input" else d.is_default_output
                channels = d.max_input_channels if kind == "input" else d.max_output_channels
                print(f"    {'*' if default else ' '} {d.index:>3}  {d.name}  "
                      f"({channels} ch, {d.default_samplerate:.0f} Hz)")
            if not rows:
                print("      none")
    by_api: dict[str, list[Any]] = {}
    for candidate in candidates:
        by_api.setdefault(candidate.host_api, []).append(candidate)
    print("system audio (loopback candidates):")
    for api, members in by_api.items():
        print(f"  {api}:")
        for c in members:
            print(f"    {'*' if c.is_default else ' '} {c.device}  \"{c.description}\"  {c.note}")
    if not candidates:
        print(f"  none: {loopback_error}" if loopback_error else "  none")
    pulse_input = _pulse_default_source() if any(c.host_api == "PulseAudio"
                                                 for c in candidates) else None
    if pulse_input:
        print(f"(ALSA 'default' and 'pulse' record the PulseAudio default input: {pulse_input})")
    print("(* = default)")
    return 0


def _pulse_default_source() -> str | None:
    from smart_interview.audio.errors import AudioError
    from smart_interview.audio.pulse import PulseTools

    try:
        return PulseTools().default_source()
    except AudioError:
        return None
